/**
 * The upload dialog's model: defaults from the options and the server's plan, choices turned
 * into the request, names checked against the rule before asking, a debounced check whose
 * latest answer wins, and a start sent once with one idempotency key.
 */
import { EscapeRequestError } from '../../../request';
import { IUploadPlan } from '../api';
import { metaValue, nameRuleProblem, UploadDialogModel } from '../model';
import { fakeUploadApi, OPTIONS } from './fakeUploadApi';

function loaded(paths = ['results'], api = fakeUploadApi()) {
  const model = new UploadDialogModel({
    api,
    paths,
    debounceMs: 5,
    newKey: () => 'key-1'
  });
  return { model, api };
}

const settle = () => new Promise(resolve => setTimeout(resolve, 30));

describe('UploadDialogModel', () => {
  it('takes the user scope, the first writable RSE and the folder as a new dataset', async () => {
    const { model, api } = loaded();
    await model.load();
    expect(model.scope).toBe('user.jdoe');
    expect(model.rse).toBe('TB_WRITE');
    expect(model.rseInfo?.remaining).toBe(9_000_000);
    expect(api.checks[0]).toEqual({
      paths: ['results'],
      scope: 'user.jdoe',
      rse: 'TB_WRITE'
    });
    expect(model.datasetMode).toBe('new');
    expect(model.dataset).toBe('results');
    expect(model.datasetOptional).toBe(false);
    expect(model.nameOf('results/plots/a.png')).toBe('plots.a.png');
    expect(model.canStart).toBe(true);
  });

  it('offers no dataset for loose files', async () => {
    const { model } = loaded(['results/hist.json']);
    await model.load();
    expect(model.datasetMode).toBe('none');
    expect(model.datasetOptional).toBe(true);
  });

  it('says why the options cannot be loaded, as the server words it', async () => {
    const api = fakeUploadApi({
      options: jest.fn(async () => {
        throw new EscapeRequestError(
          401,
          'rucio_unauthorized',
          'Your Rucio token expired at 14:02; refresh it and retry.'
        );
      })
    });
    const { model } = loaded(['results'], api);
    await model.load();
    expect(model.optionsError).toBe(
      'Your Rucio token expired at 14:02; refresh it and retry.'
    );
    expect(model.canStart).toBe(false);
  });

  it('turns the choices into the request the server takes', async () => {
    const { model } = loaded();
    await model.load();
    model.setDataset('run42');
    model.setContainer('campaign2024');
    model.addMeta();
    model.setMeta(0, { key: 'run_number', value: '42' });
    model.addMeta();
    model.setMeta(1, { key: 'campaign', value: 'spring' });
    model.setLifetimeDays('30');
    model.setCopies(2);
    model.setName('results/hist.json', 'hist-v2.json');
    expect(model.request()).toEqual({
      paths: ['results'],
      scope: 'user.jdoe',
      rse: 'TB_WRITE',
      dataset: 'run42',
      dataset_new: true,
      container: 'campaign2024',
      meta: { run_number: 42, campaign: 'spring' },
      lifetime: 30 * 86400,
      copies: 2,
      names: { 'results/hist.json': 'hist-v2.json' }
    });
  });

  it('checks edited names against the rule before asking the server', async () => {
    const { model } = loaded();
    await model.load();
    model.setName('results/hist.json', 'plots/hist.json');
    expect(model.localProblems.map(p => p.message)).toEqual([
      `results/hist.json: plots/hist.json breaks the naming rule (${OPTIONS.name_rule.text}).`
    ]);
    expect(model.canStart).toBe(false);
    model.setName('results/hist.json', null);
    await settle();
    expect(model.localProblems).toEqual([]);
    expect(model.canStart).toBe(true);
  });

  it('refuses bad metadata keys and lifetimes locally', async () => {
    const { model } = loaded();
    await model.load();
    model.addMeta();
    model.setMeta(0, { key: '1bad', value: 'x' });
    model.setLifetimeDays('-3');
    expect(model.localProblems).toHaveLength(2);
  });

  it('shows the server problems and disables Upload until they are gone', async () => {
    const { model } = loaded();
    await model.load();
    model.setDataset('old');
    await settle();
    expect(model.plan?.problems.map(p => p.message)).toEqual([
      'The dataset user.jdoe:old exists already; attach to it instead or choose another name.'
    ]);
    expect(model.canStart).toBe(false);
    model.setDatasetMode('existing');
    await settle();
    expect(model.plan?.problems).toEqual([]);
    expect(model.plan?.dataset).toEqual({
      scope: 'user.jdoe',
      name: 'old',
      new: false
    });
    expect(model.canStart).toBe(true);
  });

  it('debounces the check: a burst of typing is one request', async () => {
    const { model, api } = loaded();
    await model.load();
    const before = api.checks.length;
    for (const name of ['r', 'ru', 'run', 'run4', 'run42']) {
      model.setDataset(name);
    }
    expect(model.checking).toBe(true);
    expect(model.canStart).toBe(false);
    await settle();
    expect(api.checks.length - before).toBe(1);
    expect(api.checks[api.checks.length - 1].dataset).toBe('run42');
    expect(model.checking).toBe(false);
  });

  it('keeps the latest answer when an older one arrives late', async () => {
    const resolvers: ((plan: IUploadPlan) => void)[] = [];
    const real = fakeUploadApi();
    const api = fakeUploadApi({
      check: jest.fn(
        request =>
          new Promise<IUploadPlan>(resolve =>
            resolvers.push(() => void real.check(request).then(resolve))
          )
      )
    });
    const { model } = loaded(['results'], api);
    const loading = model.load();
    await settle();
    resolvers[0]({} as IUploadPlan);
    await loading;
    model.setDataset('first');
    await settle();
    model.setDataset('second');
    await settle();
    resolvers[2]({} as IUploadPlan);
    await settle();
    resolvers[1]({} as IUploadPlan);
    await settle();
    expect(model.plan?.dataset?.name).toBe('second');
  });

  it('starts once with the idempotency key, however often Upload is pressed', async () => {
    const { model, api } = loaded();
    await model.load();
    const [a, b] = await Promise.all([model.start(), model.start()]);
    expect(a).toBe(b);
    expect(api.start).toHaveBeenCalledTimes(1);
    expect(api.starts[0].idempotency_key).toBe('key-1');
    expect(model.started?.id).toBe('u1');
  });

  it('keeps the choices and says why when the server refuses the start', async () => {
    const api = fakeUploadApi({
      start: jest.fn(async () => {
        throw new EscapeRequestError(
          409,
          'did_clash',
          'Job u7 is already uploading user.jdoe:hist.json; wait for it or cancel it.'
        );
      })
    });
    const { model } = loaded(['results'], api);
    await model.load();
    expect(await model.start()).toBeNull();
    expect(model.startError).toBe(
      'Job u7 is already uploading user.jdoe:hist.json; wait for it or cancel it.'
    );
    expect(model.dataset).toBe('results');
    expect(model.canStart).toBe(true);
  });
});

describe('upload helpers', () => {
  it('checks names as the rule says', () => {
    expect(nameRuleProblem('a.b-c_d', OPTIONS.name_rule)).toBeNull();
    expect(nameRuleProblem('', OPTIONS.name_rule)).toMatch(/empty/);
    expect(nameRuleProblem('.hidden', OPTIONS.name_rule)).toMatch(/rule/);
    expect(nameRuleProblem('x'.repeat(251), OPTIONS.name_rule)).toMatch(/250/);
  });

  it('sends numbers as numbers and the rest as text', () => {
    expect(metaValue(' 42 ')).toBe(42);
    expect(metaValue('3.5')).toBe(3.5);
    expect(metaValue('v1.2')).toBe('v1.2');
    expect(metaValue('0123456789012345678')).toBe('0123456789012345678');
  });
});
