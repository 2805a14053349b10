import { nullTranslator } from '@jupyterlab/translation';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { IJobsApi, JobsModel } from '../../../common/jobs';
import { EscapeRequestError } from '../../../request';
import {
  Codemeta,
  IPublishApi,
  IZenodoIdentity,
  PublishJob,
  PublishPreparation,
  ZenodoUpload
} from '../api';
import {
  getAuthors,
  getMaintainer,
  getText,
  licenceLabel,
  problemsOf,
  setAuthors,
  setMaintainer,
  setText
} from '../codemetaForm';
import { PublishConfirmation } from '../Confirmation';
import { PublishModel } from '../model';
import { PublishPanel } from '../PublishPanel';
import { UploadsModel } from '../uploadsModel';
import { UploadsView } from '../UploadsView';

const trans = nullTranslator.load('jupyterlab_escape');

const CODEMETA: Codemeta = {
  '@context': 'https://doi.org/10.5063/schema/codemeta-2.0',
  '@type': 'SoftwareSourceCode',
  name: 'Photon Tools',
  description: 'Tools for photons',
  license: 'https://spdx.org/licenses/MIT',
  softwareVersion: '1.0.0',
  author: [
    {
      '@type': 'Person',
      givenName: 'Ada',
      familyName: 'Lovelace',
      '@id': 'https://orcid.org/0000-0002-1825-0097',
      affiliation: { '@type': 'Organization', name: 'CTAO' },
      email: 'ada@example.org'
    }
  ]
};

const FIRST_CREATOR = (CODEMETA['author'] as Record<string, unknown>[])[0];

const identity: IZenodoIdentity = {
  stored: true,
  sandbox: true,
  scopes: ['deposit:write', 'deposit:actions'],
  url: 'https://zenodo.org',
  sandbox_url: 'https://sandbox.zenodo.org',
  community: 'escape2020'
};

function preparation(
  problems: PublishPreparation['problems'] = []
): PublishPreparation {
  return {
    path: 'code/photon',
    source: 'file',
    codemeta: CODEMETA,
    problems,
    zenodo: problems.length ? null : { title: 'Photon Tools' },
    files: [
      { name: 'codemeta.json', size: 300 },
      { name: 'photon.py', size: 1200 }
    ],
    files_count: 2,
    total_bytes: 1500,
    skipped: [{ name: '.env', reason: 'hidden' }],
    skipped_count: 1,
    mode: 'zip'
  };
}

function job(
  state: PublishJob['state'],
  extra: Partial<PublishJob> = {}
): PublishJob {
  return {
    id: 'job1',
    kind: 'catalogue.publish',
    state,
    path: 'code/photon',
    sandbox: true,
    community: 'escape2020',
    files: null,
    record_id: null,
    deposit_id: state === 'done' ? '42' : null,
    phase: state === 'done' ? 'draft' : 'uploading',
    uploads: [],
    skipped: [],
    skipped_count: 0,
    html: null,
    message: state === 'done' ? 'Draft 42 is ready' : null,
    items_total: 2,
    items_done: state === 'done' ? 2 : 0,
    items_failed: 0,
    bytes_total: 1500,
    bytes_done: 0,
    ...extra
  } as unknown as PublishJob;
}

function upload(
  status: ZenodoUpload['status'],
  extra: Partial<ZenodoUpload> = {}
): ZenodoUpload {
  return {
    id: '42',
    title: 'Photon Tools',
    status,
    version: '1.0.0',
    doi: status === 'published' ? '10.5072/zenodo.42' : null,
    concept_doi: null,
    record_id: status === 'draft' ? null : '42',
    created: '2026-01-01',
    modified: '2026-01-01',
    html: null,
    community: {
      slug: 'escape2020',
      status: status === 'published' ? 'submitted' : 'on_publish'
    },
    files: [
      { key: 'photon-1.0.0.zip', size: 900, md5: 'a' },
      { key: 'codemeta.json', size: 300, md5: 'b' }
    ],
    sandbox: true,
    license: { id: 'mit', title: 'MIT License' },
    metadata: {
      title: 'Photon Tools',
      version: '1.0.0',
      license: 'mit',
      creators: [
        {
          name: 'Ada Lovelace',
          affiliation: 'CTAO',
          orcid: '0000-0002-1825-0097'
        }
      ],
      communities: [{ identifier: 'escape2020' }]
    },
    ...extra
  };
}

function fakeApi(
  overrides: Partial<IPublishApi> = {}
): jest.Mocked<IPublishApi> {
  return {
    identity: jest.fn(async () => identity),
    saveToken: jest.fn(async () => identity),
    clearToken: jest.fn(async () => undefined),
    prepare: jest.fn(async () => preparation()),
    check: jest.fn(async () => ({ problems: [], zenodo: { title: 'x' } })),
    start: jest.fn(async () => job('queued')),
    uploads: jest.fn(async () => ({ sandbox: true, uploads: [] })),
    upload: jest.fn(async () => upload('draft')),
    act: jest.fn(async (_id, action) =>
      action === 'discard'
        ? null
        : upload(action === 'publish' ? 'published' : 'draft')
    ),
    ...overrides
  } as jest.Mocked<IPublishApi>;
}

function fakeJobs(jobs: PublishJob[] = []): IJobsApi<PublishJob> {
  return {
    list: jest.fn(async () => jobs),
    get: jest.fn(async () => jobs[0]),
    cancel: jest.fn(),
    retry: jest.fn(),
    remove: jest.fn()
  } as unknown as IJobsApi<PublishJob>;
}

function makeModel(
  api: IPublishApi,
  confirm = jest.fn(async () => true),
  jobs = fakeJobs()
) {
  const jobsModel = new JobsModel<PublishJob>({
    api: jobs,
    name: 'test',
    isVisible: () => false
  });
  const model = new PublishModel({
    api,
    jobs: jobsModel,
    path: 'code/photon',
    confirmPublish: confirm,
    checkDelay: 0,
    newKey: () => 'key-12345678'
  });
  return { model, jobsModel, confirm };
}

describe('codemeta form helpers', () => {
  it('names a licence one way, from codemeta’s SPDX URL or Zenodo’s lower-case id', () => {
    for (const given of [
      'https://spdx.org/licenses/MIT',
      'https://spdx.org/licenses/MIT.html',
      'MIT',
      'mit'
    ]) {
      expect(licenceLabel(given)).toBe('MIT License (MIT)');
    }
    expect(licenceLabel('gpl-3.0-or-later', 'GNU GPL v3+')).toBe(
      'GNU General Public License v3.0 or later (GPL-3.0-or-later)'
    );
    expect(licenceLabel('eupl-1.2', 'European Union Public License 1.2')).toBe(
      'European Union Public License 1.2 (eupl-1.2)'
    );
    expect(licenceLabel('other-open', null)).toBe('other-open');
  });

  it('reads and writes creators keeping what the form does not show', () => {
    const rows = getAuthors(CODEMETA);
    expect(rows).toEqual([
      {
        givenName: 'Ada',
        familyName: 'Lovelace',
        orcid: 'https://orcid.org/0000-0002-1825-0097',
        affiliation: 'CTAO'
      }
    ]);
    const next = setAuthors(CODEMETA, [
      { ...rows[0], orcid: '0000-0001-5109-3700', affiliation: 'CTAO; CERN' },
      { givenName: '', familyName: 'Babbage', orcid: '', affiliation: '' }
    ]);
    const authors = next['author'] as Record<string, unknown>[];
    expect(authors[0]['email']).toBe('ada@example.org');
    expect(authors[0]['@id']).toBe('https://orcid.org/0000-0001-5109-3700');
    expect(authors[0]['affiliation']).toEqual([
      { '@type': 'Organization', name: 'CTAO' },
      { '@type': 'Organization', name: 'CERN' }
    ]);
    expect(authors[1]).toEqual({ '@type': 'Person', familyName: 'Babbage' });
  });

  it('removes an emptied field so that "required" is reported, and keeps version equal', () => {
    const meta = setText(
      { ...CODEMETA, version: '1.0.0' },
      'softwareVersion',
      '2.0.0'
    );
    expect(meta['version']).toBe('2.0.0');
    expect('name' in setText(CODEMETA, 'name', '')).toBe(false);
  });

  it('sorts problems by field and by creator', () => {
    const problems = [
      {
        field: 'author[1].identifier',
        level: 'error' as const,
        message: 'bad orcid'
      },
      {
        field: 'author',
        level: 'error' as const,
        message: 'author is required'
      },
      { field: 'license', level: 'error' as const, message: 'closed' }
    ];
    expect(problemsOf(problems, 'author', 1).map(p => p.message)).toEqual([
      'bad orcid'
    ]);
    expect(problemsOf(problems, 'author').map(p => p.message)).toEqual([
      'author is required'
    ]);
    expect(problemsOf(problems, 'license')).toHaveLength(1);
  });
});

describe('PublishModel', () => {
  it('loads the codemeta, checks edits and blocks the draft while errors remain', async () => {
    const api = fakeApi({
      check: jest
        .fn()
        // the check of the loaded document with its default maintainer
        .mockResolvedValueOnce({ problems: [], zenodo: { title: 'x' } })
        .mockResolvedValue({
          problems: [
            {
              field: 'description',
              level: 'error' as const,
              message: 'The description is empty.'
            }
          ],
          zenodo: null
        })
    });
    const { model } = makeModel(api);
    await model.load();
    expect(model.canCreateDraft).toBe(true);
    model.setCodemeta(setText(model.codemeta, 'description', ''));
    expect(model.canCreateDraft).toBe(false); // checking
    await model.check();
    expect(api.check).toHaveBeenCalled();
    expect(model.errors.map(p => p.field)).toEqual(['description']);
    expect(model.canCreateDraft).toBe(false);
    await model.createDraft();
    expect(api.start).not.toHaveBeenCalled();
  });

  it('needs a stored token before anything is uploaded', async () => {
    const api = fakeApi({
      identity: jest.fn(async () => ({ ...identity, stored: false }))
    });
    const { model } = makeModel(api);
    await model.load();
    expect(model.canCreateDraft).toBe(false);
  });

  it('creates a draft as a job, then loads the draft when the job is done', async () => {
    const api = fakeApi();
    const { model, jobsModel } = makeModel(api);
    await model.load();
    await model.createDraft();
    expect(api.start).toHaveBeenCalledWith({
      path: 'code/photon',
      // the OSSR requires a maintainer: the first creator by default
      codemeta: { ...CODEMETA, maintainer: FIRST_CREATOR },
      files: null,
      record_id: null,
      idempotency_key: 'key-12345678'
    });
    expect(model.job?.state).toBe('queued');
    jobsModel.add(job('done'));
    await new Promise(r => setTimeout(r, 0));
    expect(api.upload).toHaveBeenCalledWith('42');
    expect(model.draft?.status).toBe('draft');
    jobsModel.dispose();
  });

  it('publishes only after the confirmation, showing what Zenodo holds', async () => {
    const api = fakeApi();
    const confirm = jest.fn(async () => false);
    const { model, jobsModel } = makeModel(api, confirm);
    await model.load();
    await model.createDraft();
    jobsModel.add(job('done'));
    await new Promise(r => setTimeout(r, 0));
    await model.publish();
    expect(confirm).toHaveBeenCalledWith(
      expect.objectContaining({ id: '42', status: 'draft' })
    );
    expect(api.act).not.toHaveBeenCalledWith(
      '42',
      'publish',
      expect.anything()
    );
    confirm.mockImplementation(async () => true);
    await model.publish();
    expect(api.act).toHaveBeenCalledWith('42', 'publish', { confirm: true });
    expect(model.draft?.doi).toBe('10.5072/zenodo.42');
    jobsModel.dispose();
  });

  it('makes a fixed form be saved to the draft before publishing, and discards', async () => {
    const api = fakeApi();
    const { model, jobsModel } = makeModel(api);
    await model.load();
    await model.createDraft();
    jobsModel.add(job('done'));
    await new Promise(r => setTimeout(r, 0));
    model.setCodemeta(setText(model.codemeta, 'description', 'Better words'));
    await model.check();
    expect(model.dirty).toBe(true);
    expect(model.canPublish).toBe(false);
    await model.saveMetadata();
    expect(api.act).toHaveBeenCalledWith('42', 'metadata', {
      codemeta: expect.objectContaining({ description: 'Better words' })
    });
    expect(model.canPublish).toBe(true);
    await model.discard();
    expect(api.act).toHaveBeenCalledWith('42', 'discard');
    expect(model.draft).toBeNull();
    expect(model.discarded).toBe(true);
    jobsModel.dispose();
  });

  it('shows the server message as written when a start is refused', async () => {
    const message =
      'Your Zenodo token lacks the deposit:actions scope: create a token with deposit:write and deposit:actions.';
    const api = fakeApi({
      start: jest.fn(async () => {
        throw new EscapeRequestError(403, 'zenodo_scope', message);
      })
    });
    const { model } = makeModel(api);
    await model.load();
    await model.createDraft();
    expect(model.error).toBe(message);
  });

  it('asks for a new version of a record with record_id', async () => {
    const api = fakeApi();
    const jobsModel = new JobsModel<PublishJob>({ api: fakeJobs(), name: 't' });
    const model = new PublishModel({
      api,
      jobs: jobsModel,
      path: 'code/photon',
      recordId: '7',
      confirmPublish: async () => true,
      newKey: () => 'key-12345678'
    });
    await model.load();
    await model.createDraft();
    expect(api.start).toHaveBeenCalledWith(
      expect.objectContaining({ record_id: '7' })
    );
    jobsModel.dispose();
  });
});

describe('PublishPanel', () => {
  it('shows problems next to their field, the files and what is skipped', async () => {
    const prepared = preparation([
      {
        field: 'author[0].identifier',
        level: 'error',
        message: 'Not an ORCID iD.'
      },
      {
        field: 'keywords',
        level: 'warning',
        message: 'The OSSR recommends keywords.'
      }
    ]);
    const api = fakeApi({
      prepare: jest.fn(async () => prepared),
      check: jest.fn(async () => ({
        problems: prepared.problems,
        zenodo: null
      }))
    });
    const { model } = makeModel(api);
    await act(() => model.load());
    render(
      <PublishPanel
        model={model}
        api={api}
        trans={trans}
        onOpenRecord={jest.fn()}
      />
    );
    const creator = document.querySelector(
      '.jp-escape-Publish-person[data-index="0"]'
    )!;
    expect(
      within(creator as HTMLElement).getByText('Not an ORCID iD.')
    ).toBeTruthy();
    const keywords = document.querySelector(
      '.jp-escape-Publish-field[data-field="keywords"]'
    )!;
    expect(keywords.className).toContain('jp-mod-warning');
    expect(
      screen.getByText(
        '1 error to fix before uploading; 1 suggestion (optional)'
      )
    ).toBeTruthy();
    expect(
      (screen.getByText('Create draft') as HTMLButtonElement).disabled
    ).toBe(true);
    expect(screen.getByText('photon.py')).toBeTruthy();
    expect(screen.getByText(/hidden/)).toBeTruthy();
    model.dispose();
  });

  it('says what the zip holds before compression and that the form’s codemeta.json goes beside it', async () => {
    const api = fakeApi();
    const { model } = makeModel(api);
    await act(() => model.load());
    render(
      <PublishPanel
        model={model}
        api={api}
        trans={trans}
        onOpenRecord={jest.fn()}
      />
    );
    const files = screen.getByRole('region', { name: 'Files' });
    // review s3 §17: 1.50 kB is the files' sum, not the zip Zenodo is sent
    expect(files.textContent).toContain(
      'A zip of photon: 2 files, 1.50 kB before compression.'
    );
    expect(files.textContent).not.toContain('code/photon');
    const own = within(files).getByText('codemeta.json').closest('li')!;
    expect(own.textContent).toContain(
      'your folder’s, unchanged in the zip (the form’s goes beside it)'
    );
    expect(
      within(files).getByText('Beside the zip: codemeta.json (from this form).')
    ).toBeTruthy();
    model.dispose();
  });

  it('lists errors first and folds the suggestions the form cannot act on', async () => {
    const prepared = preparation([
      {
        field: 'memoryRequirements',
        level: 'warning',
        message: 'The OSSR recommends memoryRequirements.'
      },
      {
        field: 'datePublished',
        level: 'error',
        message: 'datePublished is required by the OSSR.'
      },
      {
        field: 'issueTracker',
        level: 'warning',
        message: 'The OSSR recommends issueTracker.'
      },
      {
        field: 'codeRepository',
        level: 'warning',
        message: 'The OSSR recommends a repository URL.'
      },
      {
        field: 'softwareVersion',
        level: 'warning',
        message: "'one' is not a semantic version (semver.org)."
      },
      {
        field: 'version',
        level: 'error',
        message: 'The version is a text.'
      }
    ]);
    const api = fakeApi({
      prepare: jest.fn(async () => prepared),
      check: jest.fn(async () => ({
        problems: prepared.problems,
        zenodo: null
      }))
    });
    const { model } = makeModel(api);
    await act(() => model.load());
    render(
      <PublishPanel
        model={model}
        api={api}
        trans={trans}
        onOpenRecord={jest.fn()}
      />
    );
    expect(
      screen.getByText(
        '2 errors to fix before uploading; 4 suggestions (optional)'
      )
    ).toBeTruthy();
    const other = document.querySelector('.jp-escape-Publish-other')!;
    expect(other.textContent).toContain(
      'Not in this form: edit codemeta.json in the folder.'
    );
    const folded = other.querySelector('details')!;
    expect(folded.open).toBe(false);
    expect(folded.querySelector('summary')!.textContent).toBe(
      '2 suggestions (optional), not in this form: edit codemeta.json'
    );
    expect(
      Array.from(folded.querySelectorAll('li')).map(li => li.textContent)
    ).toEqual([
      'The OSSR recommends memoryRequirements.',
      'The OSSR recommends issueTracker.'
    ]);
    // the error stays in sight, outside the fold
    const error = within(other as HTMLElement).getByText(
      'datePublished is required by the OSSR.'
    );
    expect(folded.contains(error)).toBe(false);
    // a form field's problems stay under it, errors first
    const version = document.querySelector(
      '.jp-escape-Publish-field[data-field="softwareVersion"]'
    )!;
    expect(
      Array.from(version.querySelectorAll('li')).map(li => li.className)
    ).toEqual([
      'jp-escape-Publish-problem jp-mod-error',
      'jp-escape-Publish-problem jp-mod-warning'
    ]);
    const repository = document.querySelector(
      '.jp-escape-Publish-field[data-field="codeRepository"]'
    )!;
    expect(repository.textContent).toContain(
      'The OSSR recommends a repository URL.'
    );
    expect(other.textContent).not.toContain('repository');
    model.dispose();
  });

  it('says where the community request stands as My uploads says it', async () => {
    const api = fakeApi();
    const { model } = makeModel(api);
    await act(() => model.load());
    model.draft = upload('published');
    render(
      <PublishPanel
        model={model}
        api={api}
        trans={trans}
        onOpenRecord={jest.fn()}
      />
    );
    expect(
      screen.getByText('Community escape2020: waiting for the curators')
    ).toBeTruthy();
    expect(document.body.textContent).not.toContain('request submitted');
    model.dispose();
  });

  it('never shows a stored token back and sends a new one with the sandbox choice', async () => {
    const api = fakeApi({
      identity: jest.fn(async () => ({
        ...identity,
        stored: false,
        sandbox: false
      }))
    });
    const { model } = makeModel(api);
    await act(() => model.load());
    render(
      <PublishPanel
        model={model}
        api={api}
        trans={trans}
        onOpenRecord={jest.fn()}
      />
    );
    const input = screen.getByLabelText('Zenodo token') as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.change(input, { target: { value: 'secret-token-123' } });
    fireEvent.click(screen.getByLabelText(/Use the Zenodo sandbox/));
    await act(async () => {
      fireEvent.click(screen.getByText('Save token'));
    });
    expect(api.saveToken).toHaveBeenCalledWith('secret-token-123', true);
    expect(document.body.innerHTML).not.toContain('secret-token-123');
    expect(
      screen.getByText(/stored on the server for the Zenodo sandbox/)
    ).toBeTruthy();
    model.dispose();
  });
});

describe('Maintainer', () => {
  function renderPanel(model: PublishModel, api: IPublishApi) {
    render(
      <PublishPanel
        model={model}
        api={api}
        trans={trans}
        onOpenRecord={jest.fn()}
      />
    );
    return document.querySelector(
      'fieldset[data-field="maintainer"]'
    ) as HTMLElement;
  }

  it('defaults to the first creator, checked by the server, and follows creator edits', async () => {
    const api = fakeApi();
    const { model } = makeModel(api);
    await act(() => model.load());
    expect(model.maintainerFollows).toBe(true);
    expect(model.codemeta['maintainer']).toEqual(FIRST_CREATOR);
    // the preparation's problems were about the document without it: checked again
    expect(api.check).toHaveBeenCalledWith(
      expect.objectContaining({ maintainer: FIRST_CREATOR })
    );
    const fieldset = renderPanel(model, api);
    const box = within(fieldset).getByLabelText(
      'Same as the first creator'
    ) as HTMLInputElement;
    expect(box.checked).toBe(true);
    const family = within(fieldset).getByLabelText(
      'Family name of the maintainer'
    ) as HTMLInputElement;
    expect(family.value).toBe('Lovelace');
    expect(
      (
        within(fieldset).getByLabelText(
          'Email of the maintainer'
        ) as HTMLInputElement
      ).value
    ).toBe('ada@example.org');
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Family name of creator 1'), {
        target: { value: 'King' }
      });
    });
    expect(family.value).toBe('King');
    expect(getMaintainer(model.codemeta).familyName).toBe('King');
    model.dispose();
  });

  it('is editable: an edit stops following, the box brings the first creator back', async () => {
    const api = fakeApi();
    const { model } = makeModel(api);
    await act(() => model.load());
    const fieldset = renderPanel(model, api);
    await act(async () => {
      fireEvent.change(
        within(fieldset).getByLabelText('Given name of the maintainer'),
        { target: { value: 'Charles' } }
      );
      fireEvent.change(
        within(fieldset).getByLabelText('Family name of the maintainer'),
        { target: { value: 'Babbage' } }
      );
      fireEvent.change(
        within(fieldset).getByLabelText('ORCID of the maintainer'),
        { target: { value: '0000-0001-5109-3700' } }
      );
      fireEvent.change(
        within(fieldset).getByLabelText('Affiliation of the maintainer'),
        { target: { value: 'Cambridge' } }
      );
    });
    expect(model.maintainerFollows).toBe(false);
    const box = within(fieldset).getByLabelText(
      'Same as the first creator'
    ) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(model.codemeta['maintainer']).toEqual({
      '@type': 'Person',
      givenName: 'Charles',
      familyName: 'Babbage',
      '@id': 'https://orcid.org/0000-0001-5109-3700',
      affiliation: { '@type': 'Organization', name: 'Cambridge' },
      email: 'ada@example.org'
    });
    // a creator edit no longer moves the maintainer
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Family name of creator 1'), {
        target: { value: 'King' }
      });
    });
    expect(getMaintainer(model.codemeta).familyName).toBe('Babbage');
    await act(async () => {
      await model.createDraft();
    });
    expect(api.start).toHaveBeenCalledWith(
      expect.objectContaining({
        codemeta: expect.objectContaining({
          maintainer: expect.objectContaining({ familyName: 'Babbage' })
        })
      })
    );
    await act(async () => {
      fireEvent.click(box);
    });
    expect(model.maintainerFollows).toBe(true);
    expect(getMaintainer(model.codemeta).familyName).toBe('King');
    model.dispose();
  });

  it("keeps the folder's own maintainer and has none to default to without a creator", async () => {
    const own = {
      '@type': 'Person',
      givenName: 'Grace',
      familyName: 'Hopper',
      email: 'grace@example.org'
    };
    const withOwn = fakeApi({
      prepare: jest.fn(async () => ({
        ...preparation(),
        codemeta: { ...CODEMETA, maintainer: [own, { '@type': 'Person' }] }
      }))
    });
    const first = makeModel(withOwn).model;
    await first.load();
    expect(first.maintainerFollows).toBe(false);
    expect(getMaintainer(first.codemeta).familyName).toBe('Hopper');
    expect(withOwn.check).not.toHaveBeenCalled();
    // one edit keeps the second maintainer of the list
    const next = setMaintainer(first.codemeta, {
      ...getMaintainer(first.codemeta),
      email: ''
    });
    expect(next['maintainer']).toEqual([
      { '@type': 'Person', givenName: 'Grace', familyName: 'Hopper' },
      { '@type': 'Person' }
    ]);
    first.dispose();

    const noCreator = fakeApi({
      prepare: jest.fn(async () => ({
        ...preparation(),
        codemeta: { ...CODEMETA, author: [] }
      }))
    });
    const second = makeModel(noCreator).model;
    await second.load();
    expect('maintainer' in second.codemeta).toBe(false);
    second.dispose();
  });

  it("shows the server's problems inside the maintainer box and blocks the draft", async () => {
    const api = fakeApi({
      check: jest.fn(async () => ({
        problems: [
          {
            field: 'maintainer',
            level: 'error' as const,
            message: 'A person needs a givenName or a familyName.'
          },
          {
            field: 'maintainer.email',
            level: 'warning' as const,
            message: "The OSSR asks for the maintainer's email."
          }
        ],
        zenodo: null
      }))
    });
    const { model } = makeModel(api);
    await act(() => model.load());
    const fieldset = renderPanel(model, api);
    expect(
      within(fieldset).getByText('A person needs a givenName or a familyName.')
    ).toBeTruthy();
    expect(
      within(fieldset).getByText("The OSSR asks for the maintainer's email.")
    ).toBeTruthy();
    // not repeated among the problems of fields the form does not show
    expect(
      screen.getAllByText('A person needs a givenName or a familyName.')
    ).toHaveLength(1);
    expect(
      (screen.getByText('Create draft') as HTMLButtonElement).disabled
    ).toBe(true);
    model.dispose();
  });
});

describe('PublishConfirmation', () => {
  it('lists title, creators, files, licence, community and says it cannot be undone', () => {
    render(
      <PublishConfirmation
        upload={{ ...upload('draft'), sandbox: false }}
        trans={trans}
      />
    );
    const text = document.body.textContent!;
    expect(text).toContain('Photon Tools');
    expect(text).toContain('Ada Lovelace (CTAO)');
    expect(text).toContain('photon-1.0.0.zip');
    expect(text).toContain('codemeta.json');
    // review s3 §6: the licence named as the form and the catalogue name it
    expect(text).toContain('MIT License (MIT)');
    expect(text).not.toContain('(mit)');
    expect(text).toContain('escape2020');
    expect(text).toContain('mints a DOI');
    expect(text).toContain('cannot be undone');
  });

  it('names a licence the form does not list as Zenodo titles it', () => {
    render(
      <PublishConfirmation
        upload={{
          ...upload('draft'),
          license: {
            id: 'cc-by-sa-4.0',
            title: 'Creative Commons Attribution Share Alike 4.0 International'
          }
        }}
        trans={trans}
      />
    );
    expect(
      document.querySelector('dd.jp-escape-Publish-licence')!.textContent
    ).toBe(
      'Creative Commons Attribution Share Alike 4.0 International (cc-by-sa-4.0)'
    );
  });
});

describe('UploadsView', () => {
  it('lists drafts and published records with community state and New version', async () => {
    const api = fakeApi({
      uploads: jest.fn(async () => ({
        sandbox: true,
        uploads: [
          upload('draft', { id: '43', title: 'Draft one' }),
          upload('published')
        ]
      }))
    });
    const model = new UploadsModel(api);
    await act(() => model.refresh());
    const actions = {
      publish: jest.fn(),
      newVersion: jest.fn(),
      editMetadata: jest.fn(),
      openRecord: jest.fn()
    };
    render(
      <UploadsView model={model} api={api} trans={trans} actions={actions} />
    );
    expect(screen.getByText('Draft one')).toBeTruthy();
    expect(screen.getByText('draft (private)')).toBeTruthy();
    expect(
      screen.getByText('Community escape2020: waiting for the curators')
    ).toBeTruthy();
    fireEvent.click(screen.getByText('New version'));
    expect(actions.newVersion).toHaveBeenCalledWith(
      expect.objectContaining({ id: '42' })
    );
    fireEvent.click(screen.getByText('Edit metadata'));
    expect(actions.editMetadata).toHaveBeenCalled();
    // Discard only on drafts, never on published records
    expect(screen.getAllByText('Discard')).toHaveLength(1);
  });

  it('discards a draft after an inline confirmation, then lists again', async () => {
    let listed = [upload('draft', { id: '43', title: 'Draft one' })];
    const act_ = jest.fn(async () => {
      listed = [];
      return null;
    });
    const api = fakeApi({
      uploads: jest.fn(async () => ({ sandbox: true, uploads: listed })),
      act: act_
    });
    const model = new UploadsModel(api);
    await act(() => model.refresh());
    const actions = {
      publish: jest.fn(),
      newVersion: jest.fn(),
      editMetadata: jest.fn(),
      openRecord: jest.fn()
    };
    render(
      <UploadsView model={model} api={api} trans={trans} actions={actions} />
    );
    fireEvent.click(screen.getByText('Discard'));
    expect(act_).not.toHaveBeenCalled();
    expect(
      screen.getByText(
        'Delete this draft and its files on Zenodo? Nothing was public.'
      )
    ).toBeTruthy();
    fireEvent.click(screen.getByText('Keep'));
    expect(screen.queryByText('Delete draft')).toBeNull();
    fireEvent.click(screen.getByText('Discard'));
    await act(async () => {
      fireEvent.click(screen.getByText('Delete draft'));
    });
    expect(act_).toHaveBeenCalledWith('43', 'discard');
    expect(await screen.findByText('No drafts.')).toBeTruthy();
  });
});

describe('the licence field (#21)', () => {
  it('shows the licence by its name and stores the SPDX URL', async () => {
    const api = fakeApi();
    const { model } = makeModel(api);
    await act(() => model.load());
    render(
      <PublishPanel
        model={model}
        api={api}
        trans={trans}
        onOpenRecord={jest.fn()}
      />
    );
    const field = screen.getByRole('combobox', {
      name: 'Licence'
    }) as HTMLSelectElement;
    expect(field.selectedOptions[0].textContent).toBe('MIT License (MIT)');
    expect(
      screen.queryByDisplayValue('https://spdx.org/licenses/MIT')
    ).toBeNull();
    fireEvent.change(field, {
      target: { value: 'https://spdx.org/licenses/Apache-2.0' }
    });
    expect(getText(model.codemeta, 'license')).toBe(
      'https://spdx.org/licenses/Apache-2.0'
    );
    expect(field.selectedOptions[0].textContent).toBe(
      'Apache License 2.0 (Apache-2.0)'
    );
    model.dispose();
  });

  it('any other licence is typed as its SPDX URL and kept as written', async () => {
    const api = fakeApi();
    const { model } = makeModel(api);
    await act(() => model.load());
    render(
      <PublishPanel
        model={model}
        api={api}
        trans={trans}
        onOpenRecord={jest.fn()}
      />
    );
    const field = screen.getByRole('combobox', { name: 'Licence' });
    fireEvent.change(field, { target: { value: '\u0000other' } });
    const url = screen.getByRole('textbox', { name: 'Licence SPDX URL' });
    fireEvent.change(url, {
      target: { value: 'https://spdx.org/licenses/EUPL-1.2' }
    });
    expect(getText(model.codemeta, 'license')).toBe(
      'https://spdx.org/licenses/EUPL-1.2'
    );
    expect((field as HTMLSelectElement).selectedOptions[0].textContent).toBe(
      'Another licence: https://spdx.org/licenses/EUPL-1.2'
    );
    model.dispose();
  });
});
