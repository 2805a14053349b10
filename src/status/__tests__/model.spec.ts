import { EscapeRequestError } from '../../request';
import { IStatusReport } from '../api';
import { ServicesModel } from '../model';

const report: IStatusReport = {
  checked_at: '2026-11-22T10:00:00+00:00',
  services: [
    {
      id: 'rucio',
      name: 'Rucio Data Lake',
      configured: true,
      url: 'http://127.0.0.1:18080',
      reachable: true,
      version: '41.5.1',
      rtt_ms: 3.2,
      detail: 'Rucio 41.5.1',
      reason: null
    }
  ]
};

describe('ServicesModel', () => {
  it('loads a report and signals before and after', async () => {
    const load = jest.fn().mockResolvedValue(report);
    const model = new ServicesModel(load);
    const states: boolean[] = [];
    model.stateChanged.connect(() => states.push(model.loading));
    await model.refresh();
    expect(model.report).toEqual(report);
    expect(model.error).toBeNull();
    expect(states).toEqual([true, false]);
  });

  it('keeps the last report and shows the server message on failure', async () => {
    const load = jest
      .fn()
      .mockResolvedValueOnce(report)
      .mockRejectedValueOnce(
        new EscapeRequestError(
          0,
          'network_error',
          'The Jupyter server could not be reached.'
        )
      );
    const model = new ServicesModel(load);
    await model.refresh();
    await model.refresh();
    expect(model.report).toEqual(report);
    expect(model.error).toBe('The Jupyter server could not be reached.');
  });

  it('shares one request between concurrent refreshes', async () => {
    const load = jest.fn().mockResolvedValue(report);
    const model = new ServicesModel(load);
    await Promise.all([model.refresh(), model.refresh(), model.refresh()]);
    expect(load).toHaveBeenCalledTimes(1);
  });
});
