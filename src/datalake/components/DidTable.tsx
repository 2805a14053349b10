/**
 * The Data Lake in the main area (#21): the current listing as a table, with the details of the
 * selected DID beside it. Names are cut in the middle (whole in the tooltip); columns sort on a
 * click and are resized by dragging their edge; the keyboard moves through the rows (arrows,
 * Home/End, Page Up/Down) and Enter opens one.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatBytes, formatCount, formatTime } from '../../common/format';
import { MiddleEllipsis } from '../../common/MiddleEllipsis';
import { useSignal } from '../../common/useSignal';
import { didOf, IDidDetails, IDidRow } from '../api';
import { DatalakeModel } from '../model';
import { RowFacts, RowFactsState } from '../rowFacts';
import { Breadcrumbs } from './Breadcrumbs';
import { SelectedDidDetails } from './DidDetails';
import { typeIcon } from './DidList';

export type SortKey =
  'name' | 'type' | 'bytes' | 'length' | 'availability' | 'created';

/**
 * The rows in the order of a column (ties keep the listing's order). Availability and created
 * come from the details loaded so far (`factsOf`): rows not loaded yet (or failed) go after the
 * loaded ones whichever the direction, in the listing's order.
 */
export function sortRows(
  rows: readonly IDidRow[],
  key: SortKey,
  ascending: boolean,
  factsOf: (did: string) => RowFactsState | undefined = () => undefined
): IDidRow[] {
  const value = (row: IDidRow): string | number | null => {
    if (key === 'availability' || key === 'created') {
      const known = factsOf(didOf(row));
      if (known?.state !== 'done') {
        return null;
      }
      return key === 'availability'
        ? known.facts.availabilityRank
        : known.facts.created
          ? Date.parse(known.facts.created)
          : -1;
    }
    return key === 'name' || key === 'type' ? row[key] : (row[key] ?? -1);
  };
  const sign = ascending ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const x = value(a.row);
      const y = value(b.row);
      if (x === null || y === null) {
        return x === y ? a.index - b.index : x === null ? 1 : -1;
      }
      const order =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x).localeCompare(String(y), undefined, { numeric: true });
      return order * sign || a.index - b.index;
    })
    .map(({ row }) => row);
}

function FactCells(props: {
  known: RowFactsState | undefined;
  trans: TranslationBundle;
}): JSX.Element {
  const { known, trans } = props;
  if (!known || known.state === 'loading') {
    return (
      <>
        <td className="jp-escape-DatalakeTable-lazy" aria-busy="true">
          <span className="jp-escape-muted">{trans.__('…')}</span>
        </td>
        <td className="jp-escape-DatalakeTable-lazy" aria-busy="true">
          <span className="jp-escape-muted">{trans.__('…')}</span>
        </td>
      </>
    );
  }
  if (known.state === 'error') {
    const title = trans.__('Details not loaded: %1', known.message);
    return (
      <>
        <td className="jp-escape-DatalakeTable-lazy" title={title}>
          {trans.__('unknown')}
        </td>
        <td className="jp-escape-DatalakeTable-lazy" title={title}>
          {trans.__('unknown')}
        </td>
      </>
    );
  }
  const { facts } = known;
  return (
    <>
      <td
        className="jp-escape-DatalakeTable-availability"
        data-rank={facts.availabilityRank}
      >
        {facts.availability}
      </td>
      <td title={facts.created ?? undefined}>
        {/* "2026-11-26 05:00 UTC", as every view gives times; the ISO time in the tooltip. */}
        {formatTime(facts.created)}
      </td>
    </>
  );
}

/**
 * Tell `facts` which rows are on screen (with a margin): an IntersectionObserver over the rows,
 * renewed when the rows change; without one (tests, old browsers) the first rows.
 */
function useVisibleRows(
  body: React.RefObject<HTMLTableSectionElement>,
  rows: readonly IDidRow[],
  facts: RowFacts
): void {
  const order = rows.map(didOf).join('\n');
  React.useEffect(() => {
    const tbody = body.current;
    const dids = order ? order.split('\n') : [];
    if (!tbody || !dids.length) {
      facts.want([]);
      return;
    }
    if (typeof IntersectionObserver === 'undefined') {
      facts.want(dids.slice(0, FIRST_ROWS));
      return;
    }
    const seen = new Set<string>();
    const observer = new IntersectionObserver(
      entries => {
        for (const entry of entries) {
          const did = (entry.target as HTMLElement).dataset.did ?? '';
          if (entry.isIntersecting) {
            seen.add(did);
          } else {
            seen.delete(did);
          }
        }
        facts.want(dids.filter(did => seen.has(did)));
      },
      { rootMargin: '200px 0px' }
    );
    for (const row of Array.from(tbody.children)) {
      observer.observe(row);
    }
    return () => observer.disconnect();
  }, [body, order, facts]);
}

/** Rows asked for when visibility cannot be observed. */
const FIRST_ROWS = 40;

export interface IDidTableProps {
  model: DatalakeModel;
  trans: TranslationBundle;
  onCopy: (text: string, what: string) => void;
  fetchPart?: (details: IDidDetails) => React.ReactNode;
}

export function DidTable(props: IDidTableProps): JSX.Element {
  const { model, trans } = props;
  useSignal(model.changed);
  const [sort, setSort] = React.useState<{ key: SortKey; asc: boolean }>({
    key: 'name',
    asc: true
  });
  const [active, setActive] = React.useState(0);
  const level = model.current;
  const facts = model.rowFacts;
  useSignal(facts.changed);
  // Rows arrive while the listing streams: sorted again at each change.
  const rows = sortRows(level?.rows ?? [], sort.key, sort.asc, did =>
    facts.get(did)
  );
  const body = React.useRef<HTMLTableSectionElement>(null);
  useVisibleRows(body, rows, facts);
  const focusRow = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    (body.current?.children[next] as HTMLElement | undefined)?.focus();
  };
  const columns: [SortKey, string][] = [
    ['name', trans.__('Name')],
    ['type', trans.__('Type')],
    ['bytes', trans.__('Size')],
    ['length', trans.__('Files')],
    ['availability', trans.__('Availability')],
    ['created', trans.__('Created')]
  ];
  const lazyHint = trans.__(
    'Loaded for the rows on screen; sorting orders the rows loaded so far, the others follow in the listing’s order'
  );
  return (
    <div className="jp-escape-DatalakeTable">
      <div className="jp-escape-DatalakeTable-main">
        <Breadcrumbs
          levels={model.levels}
          trans={trans}
          onGoTo={index => model.goTo(index)}
        />
        {!level ? (
          <p className="jp-escape-DatalakeTable-empty">
            {trans.__(
              'Search the Data Lake in its sidebar: the results show here.'
            )}
          </p>
        ) : (
          <table
            className="jp-escape-DatalakeTable-table"
            aria-label={trans.__('Data identifiers of %1', level.label)}
            aria-rowcount={rows.length}
          >
            <thead>
              <tr>
                {columns.map(([key, label]) => (
                  <th
                    key={key}
                    aria-sort={
                      sort.key === key
                        ? sort.asc
                          ? 'ascending'
                          : 'descending'
                        : 'none'
                    }
                    className={`jp-escape-DatalakeTable-col-${key}`}
                  >
                    <button
                      className="jp-escape-DatalakeTable-sort"
                      title={
                        key === 'availability' || key === 'created'
                          ? lazyHint
                          : undefined
                      }
                      onClick={() =>
                        setSort(
                          sort.key === key
                            ? { key, asc: !sort.asc }
                            : { key, asc: true }
                        )
                      }
                    >
                      {label}
                      {sort.key === key ? (sort.asc ? ' ▲' : ' ▼') : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody ref={body}>
              {rows.map((row, index) => {
                const did = didOf(row);
                const Icon = typeIcon(row.type);
                return (
                  <tr
                    key={did}
                    data-did={did}
                    tabIndex={index === active ? 0 : -1}
                    aria-selected={model.selectedDid === did}
                    className={
                      model.selectedDid === did ? 'jp-mod-selected' : undefined
                    }
                    onClick={() => {
                      setActive(index);
                      void model.open(row);
                    }}
                    onKeyDown={event => {
                      const page = 10;
                      const moves: Record<string, number> = {
                        ArrowDown: index + 1,
                        ArrowUp: index - 1,
                        PageDown: index + page,
                        PageUp: index - page,
                        Home: 0,
                        End: rows.length - 1
                      };
                      if (event.key in moves) {
                        event.preventDefault();
                        focusRow(moves[event.key]);
                      } else if (event.key === 'Enter') {
                        event.preventDefault();
                        void model.open(row);
                      }
                    }}
                  >
                    <td>
                      <Icon.react
                        tag="span"
                        className="jp-escape-Datalake-rowIcon"
                      />
                      <MiddleEllipsis text={row.name} />
                    </td>
                    <td>{row.type}</td>
                    <td className="jp-escape-DatalakeTable-num">
                      {row.type === 'file' || row.bytes !== null
                        ? formatBytes(row.bytes)
                        : ''}
                    </td>
                    <td className="jp-escape-DatalakeTable-num">
                      {/* A file holds no files: "—", not an empty cell that reads as unknown. */}
                      {row.type === 'file'
                        ? '—'
                        : row.length !== null
                          ? formatCount(row.length)
                          : ''}
                    </td>
                    <FactCells known={facts.get(did)} trans={trans} />
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      {model.selectedDid && (
        <div className="jp-escape-DatalakeTable-details">
          <SelectedDidDetails
            model={model}
            trans={trans}
            onCopy={props.onCopy}
            fetchPart={props.fetchPart}
          />
        </div>
      )}
    </div>
  );
}
