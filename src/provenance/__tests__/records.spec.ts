/**
 * The one provenance writer: validated, deduplicated, bounded entries in
 * `metadata.escape.provenance`; never into an untrusted notebook; forged metadata read back as
 * plain data with everything malformed dropped.
 */
import { NotebookModel } from '@jupyterlab/notebook';

import { didUsed, produced, software, workflow } from './fixtures';
import {
  IProvenanceSoftware,
  LIMITS,
  mergeProvenance,
  PATTERNS,
  provenanceOf,
  readProvenance,
  recordProvenance
} from '../records';

function notebook(trusted: boolean): NotebookModel {
  const model = new NotebookModel();
  model.sharedModel.insertCells(0, [{ cell_type: 'code', source: 'x = 1' }]);
  model.cells.get(0).trusted = trusted;
  return model;
}

describe('provenance records', () => {
  it('records the four kinds in one place, stamped with when', () => {
    const model = notebook(true);
    const n = recordProvenance(model, {
      dids_used: [didUsed()],
      workflows: [workflow()],
      dids_produced: [produced()],
      software: [software()]
    });
    expect(n).toBe(4);
    const escape = model.getMetadata('escape') as Record<string, any>;
    expect(Object.keys(escape)).toEqual(['provenance']);
    expect(escape.provenance.version).toBe(1);
    const lists = provenanceOf(model);
    expect(lists.dids_used[0]).toMatchObject(didUsed());
    expect(lists.workflows[0]).toMatchObject(workflow());
    expect(lists.dids_produced[0]).toMatchObject(produced());
    expect(lists.software[0]).toMatchObject(software());
    expect(lists.software[0].recorded).toMatch(PATTERNS.time);
  });

  it('deduplicates: a later record of the same run or DID replaces it in place', () => {
    const model = notebook(true);
    recordProvenance(model, {
      workflows: [
        workflow(),
        workflow({
          id:
            'b'.repeat(8) +
            '-' +
            '0'.repeat(4) +
            '-4000-8000-' +
            '1'.repeat(12),
          name: 'other'
        })
      ],
      dids_used: [didUsed()]
    });
    recordProvenance(model, {
      workflows: [
        workflow({ status: 'finished', finished: '2026-11-26T03:05:00Z' })
      ],
      dids_used: [didUsed({ path: 'elsewhere/gamma_1.h5' })],
      software: [software(), software({ action: 'installed' }), software()]
    });
    const lists = provenanceOf(model);
    expect(lists.workflows.map(w => `${w.name} ${w.status}`)).toEqual([
      'analysis finished',
      'other running'
    ]);
    expect(lists.dids_used).toHaveLength(1);
    expect(lists.dids_used[0].path).toBe('elsewhere/gamma_1.h5');
    expect(lists.software.map(s => s.action)).toEqual(['cited', 'installed']);
  });

  it('drops malformed entries and writes nothing when none is valid', () => {
    const model = notebook(true);
    expect(
      recordProvenance(model, {
        dids_used: [
          didUsed({ adler32: 'zz' }),
          didUsed({ scope: '../etc' }),
          didUsed({ name: '<img src=x onerror=alert(1)>' })
        ],
        workflows: [workflow({ id: 'javascript:alert(1)' })],
        software: [software({ doi: 'javascript:alert(1)' })]
      })
    ).toBe(0);
    expect(model.getMetadata('escape')).toBeUndefined();
  });

  it('keeps only the fields of the schema', () => {
    const model = notebook(true);
    recordProvenance(model, {
      software: [{ ...software(), onclick: 'alert(1)' } as IProvenanceSoftware]
    });
    expect(Object.keys(provenanceOf(model).software[0]).sort()).toEqual([
      'action',
      'doi',
      'record_id',
      'recorded',
      'title',
      'version'
    ]);
  });

  it('never writes into an untrusted notebook', () => {
    const model = notebook(false);
    expect(recordProvenance(model, { software: [software()] })).toBe(0);
    expect(model.getMetadata('escape')).toBeUndefined();
  });

  it('reads forged metadata as bounded plain data', () => {
    const forged = {
      provenance: {
        version: 1,
        dids_used: Array.from({ length: 50_000 }, (_, i) =>
          didUsed({ name: `f${i}` })
        ),
        workflows: [
          workflow({ parameters: { big: 'x'.repeat(70_000) } }),
          { ...workflow(), status: '<script>' },
          'not an object'
        ],
        software: [software({ title: 'y'.repeat(10_000) }), software()]
      }
    };
    const lists = readProvenance(forged);
    expect(lists.dids_used).toHaveLength(LIMITS.dids_used);
    expect(lists.workflows).toEqual([]);
    expect(lists.software).toHaveLength(1);
    expect(
      readProvenance({ provenance: { version: 2, software: [software()] } })
    ).toEqual({
      dids_used: [],
      workflows: [],
      dids_produced: [],
      software: []
    });
    expect(readProvenance('nonsense').software).toEqual([]);
  });

  it('folds the old keys in and drops them on the next write', () => {
    const old = {
      datalake: [
        {
          scope: 'escape_cta',
          name: 'gamma_1.h5',
          type: 'file',
          adler32: '0a1b2c3d',
          md5: null,
          path: 'datalake/escape_cta/gamma_1.h5',
          instance: 'tb'
        }
      ],
      datalake_produced: [
        {
          ...produced(),
          uploaded: '2026-11-26T03:00:00.000Z',
          guid: null,
          path: null
        }
      ],
      other: 1
    };
    expect(readProvenance(old).dids_used).toHaveLength(1);
    expect(readProvenance(old).dids_produced).toHaveLength(1);
    const merged = mergeProvenance(old, { software: [software()] });
    expect(Object.keys(merged).sort()).toEqual(['other', 'provenance']);
    expect(readProvenance(merged).dids_used).toHaveLength(1);
    expect(readProvenance(merged).dids_produced[0].recorded).toBe(
      '2026-11-26T03:00:00.000Z'
    );
  });
});
