import { TranslationBundle } from '@jupyterlab/translation';
import {
  fileIcon,
  folderIcon,
  LabIcon,
  listIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatBytes } from '../../common/format';
import { MiddleEllipsis } from '../../common/MiddleEllipsis';
import { VirtualList } from '../../common/VirtualList';
import { DidType, didOf, IDidRow } from '../api';

export const ROW_HEIGHT = 28;

const ICONS: Record<DidType, LabIcon> = {
  container: folderIcon,
  dataset: listIcon,
  file: fileIcon,
  unknown: fileIcon
};

export function typeIcon(type: DidType): LabIcon {
  return ICONS[type] ?? fileIcon;
}

export interface IDidListProps {
  rows: IDidRow[];
  version: number;
  selectedDid: string | null;
  trans: TranslationBundle;
  onOpen: (row: IDidRow) => void;
  /** Ticked rows, to fetch several DIDs at once; no checkboxes without it. */
  isChecked?: (did: string) => boolean;
  onToggle?: (did: string) => void;
}

/** The streamed rows, virtualized: only what is on screen is in the DOM. */
export function DidList(props: IDidListProps): JSX.Element {
  const { rows, trans } = props;
  return (
    <VirtualList
      className="jp-escape-Datalake-list"
      ariaLabel={trans.__('Data identifiers')}
      count={rows.length}
      rowHeight={ROW_HEIGHT}
      version={props.version}
      renderRow={index => {
        const row = rows[index];
        const did = didOf(row);
        const Icon = typeIcon(row.type);
        const size =
          row.type === 'file'
            ? formatBytes(row.bytes)
            : row.length !== null && row.length !== undefined
              ? trans._n('%1 file', '%1 files', row.length)
              : '';
        const checked = props.isChecked?.(did) ?? false;
        return (
          <div
            className={`jp-escape-Datalake-rowWrap${props.selectedDid === did ? ' jp-mod-selected' : ''}${checked ? ' jp-mod-checked' : ''}`}
          >
            {props.onToggle && (
              <input
                type="checkbox"
                className="jp-escape-Datalake-check"
                aria-label={trans.__('Select %1', row.name)}
                checked={checked}
                onChange={() => props.onToggle!(did)}
              />
            )}
            <button
              className="jp-escape-Datalake-row"
              title={`${did} (${row.type})`}
              data-type={row.type}
              onClick={event => {
                // Ctrl/Cmd-click ticks the row instead of opening it, as in file managers.
                if (props.onToggle && (event.ctrlKey || event.metaKey)) {
                  props.onToggle(did);
                } else {
                  props.onOpen(row);
                }
              }}
            >
              <Icon.react tag="span" className="jp-escape-Datalake-rowIcon" />
              <MiddleEllipsis
                className="jp-escape-Datalake-rowName"
                text={row.name}
              />
              <span className="jp-escape-Datalake-rowSize">{size}</span>
            </button>
          </div>
        );
      }}
    />
  );
}
