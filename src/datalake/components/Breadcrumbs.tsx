import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ILevel } from '../model';

/** Search results › container › dataset; every crumb but the last goes back there. */
export function Breadcrumbs(props: {
  levels: readonly ILevel[];
  trans: TranslationBundle;
  onGoTo: (index: number) => void;
}): JSX.Element | null {
  const { levels, trans } = props;
  if (levels.length < 2) {
    return null;
  }
  return (
    <nav
      className="jp-escape-Datalake-crumbs"
      aria-label={trans.__('Data Lake location')}
    >
      {levels.map((level, index) => {
        const label = index === 0 ? trans.__('Results') : level.label;
        const last = index === levels.length - 1;
        return (
          <React.Fragment key={index}>
            {index > 0 && (
              <span className="jp-escape-Datalake-crumbSep">›</span>
            )}
            {last ? (
              <span
                className="jp-escape-Datalake-crumb"
                aria-current="page"
                title={level.did ?? ''}
              >
                {label}
              </span>
            ) : (
              <button
                className="jp-escape-Datalake-crumb jp-escape-linkButton"
                title={level.did ?? trans.__('Back to the search results')}
                onClick={() => props.onGoTo(index)}
              >
                {label}
              </button>
            )}
          </React.Fragment>
        );
      })}
    </nav>
  );
}
