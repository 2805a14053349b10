/**
 * Provenance: a finished upload's DIDs with their checksums land in the notebook's
 * `metadata.escape.provenance.dids_produced`, beside the used DIDs; never in an untrusted notebook.
 */
import { NotebookModel } from '@jupyterlab/notebook';

import { mergeUses, recordedUses } from '../../notebookUse';
import {
  isNotebookTrusted,
  mergeProduced,
  producedOf,
  recordedProduced,
  recordProduced
} from '../provenance';
import { uploadDetail } from './fakeUploadApi';

function notebook(trusted: boolean): NotebookModel {
  const model = new NotebookModel();
  model.sharedModel.insertCells(0, [
    { cell_type: 'markdown', source: '# Results' },
    { cell_type: 'code', source: 'print(1)' }
  ]);
  for (let i = 0; i < model.cells.length; i++) {
    model.cells.get(i).trusted = trusted;
  }
  return model;
}

describe('upload provenance', () => {
  it('lists the settled files with checksums, then the dataset', () => {
    const produced = producedOf(uploadDetail());
    expect(produced.map(p => `${p.type} ${p.scope}:${p.name}`)).toEqual([
      'file user.jdoe:hist.json',
      'file user.jdoe:plots.a.png',
      'dataset user.jdoe:results'
    ]);
    expect(produced[0]).toMatchObject({
      adler32: '0a1b2c3d',
      md5: '9e107d9d372bb6826bd81d3542a419d6',
      bytes: 1200,
      rse: 'TB_WRITE',
      path: 'results/hist.json',
      instance: 'tb',
      job: 'u1',
      uploaded: new Date(1_700_000_100_000).toISOString()
    });
  });

  it('leaves out failed files, and the dataset when nothing got in', () => {
    const detail = uploadDetail();
    detail.files = detail.files.map(f => ({ ...f, state: 'failed' as const }));
    expect(producedOf(detail)).toEqual([]);
  });

  it('merges beside the used DIDs, one entry per DID, newest winning', () => {
    const used = mergeUses({}, [
      {
        scope: 'escape_cta',
        name: 'gamma_1.h5',
        type: 'file',
        adler32: '000000aa',
        md5: null,
        path: 'datalake/escape_cta/gamma_1.h5',
        instance: 'tb'
      }
    ]);
    const first = mergeProduced(used, producedOf(uploadDetail()));
    const again = mergeProduced(first, producedOf(uploadDetail({ id: 'u2' })));
    expect(recordedUses(again)).toHaveLength(1);
    const produced = recordedProduced(again);
    expect(produced).toHaveLength(3);
    expect(produced.every(p => p.job === 'u2')).toBe(true);
  });

  it('records in a trusted notebook', () => {
    const model = notebook(true);
    expect(isNotebookTrusted(model)).toBe(true);
    expect(recordProduced(model, uploadDetail())).toBe(3);
    const escape = model.getMetadata('escape');
    expect(recordedProduced(escape).map(p => p.name)).toEqual([
      'hist.json',
      'plots.a.png',
      'results'
    ]);
  });

  it('never writes into an untrusted notebook', () => {
    const model = notebook(false);
    expect(isNotebookTrusted(model)).toBe(false);
    expect(recordProduced(model, uploadDetail())).toBe(0);
    expect(model.getMetadata('escape')).toBeUndefined();
  });

  it('drops malformed recorded entries', () => {
    expect(
      recordedProduced({
        provenance: { version: 1, dids_produced: [{ scope: 1 }, 'x', null] }
      })
    ).toEqual([]);
    expect(recordedProduced({ datalake_produced: 'nope' })).toEqual([]);
  });
});
