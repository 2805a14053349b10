/**
 * The Data Lake in the main area (#21): the current listing as a table, with the details of the
 * selected DID beside it. Names are cut in the middle (whole in the tooltip); columns sort on a
 * click and are resized by dragging their edge; the keyboard moves through the rows (arrows,
 * Home/End, Page Up/Down) and Enter opens one.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatBytes, formatCount } from '../../common/format';
import { MiddleEllipsis } from '../../common/MiddleEllipsis';
import { useSignal } from '../../common/useSignal';
import { didOf, IDidDetails, IDidRow } from '../api';
import { DatalakeModel } from '../model';
import { Breadcrumbs } from './Breadcrumbs';
import { SelectedDidDetails } from './DidDetails';
import { typeIcon } from './DidList';

export type SortKey = 'name' | 'type' | 'bytes' | 'length';

/** The rows in the order of a column (ties keep the listing's order). */
export function sortRows(
  rows: readonly IDidRow[],
  key: SortKey,
  ascending: boolean
): IDidRow[] {
  const value = (row: IDidRow): string | number =>
    key === 'name' || key === 'type' ? row[key] : (row[key] ?? -1);
  const sign = ascending ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const x = value(a.row);
      const y = value(b.row);
      const order =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x).localeCompare(String(y), undefined, { numeric: true });
      return order * sign || a.index - b.index;
    })
    .map(({ row }) => row);
}

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
  // Rows arrive while the listing streams: sorted again at each change.
  const rows = sortRows(level?.rows ?? [], sort.key, sort.asc);
  const body = React.useRef<HTMLTableSectionElement>(null);
  const focusRow = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    (body.current?.children[next] as HTMLElement | undefined)?.focus();
  };
  const columns: [SortKey, string][] = [
    ['name', trans.__('Name')],
    ['type', trans.__('Type')],
    ['bytes', trans.__('Size')],
    ['length', trans.__('Files')]
  ];
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
                      {row.type !== 'file' && row.length !== null
                        ? formatCount(row.length)
                        : ''}
                    </td>
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
