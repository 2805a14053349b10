import { TranslationBundle } from '@jupyterlab/translation';
import {
  fileIcon,
  folderIcon,
  LabIcon,
  listIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatBytes } from '../../common/format';
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
        return (
          <button
            className={`jp-escape-Datalake-row${props.selectedDid === did ? ' jp-mod-selected' : ''}`}
            title={`${did} (${row.type})`}
            data-type={row.type}
            onClick={() => props.onOpen(row)}
          >
            <Icon.react tag="span" className="jp-escape-Datalake-rowIcon" />
            <span className="jp-escape-Datalake-rowName">{row.name}</span>
            <span className="jp-escape-Datalake-rowSize">{size}</span>
          </button>
        );
      }}
    />
  );
}
