import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { INotebookFetchPlan } from '../notebookFetch';
import { didOfUse } from '../notebookUse';

/**
 * The body of the dialog shown before fetching what a notebook records: each DID and the
 * workspace path the server says it lands at, and what the server refused (not fetched).
 */
export function NotebookFetchConfirm(props: {
  notebook: string;
  plans: INotebookFetchPlan[];
  trans: TranslationBundle;
}): JSX.Element {
  const { plans, trans } = props;
  const accepted = plans.filter(plan => !plan.error);
  return (
    <div className="jp-escape-Datalake-FetchDialog jp-escape-Datalake-NotebookFetch">
      <p>
        {accepted.length > 0
          ? trans.__(
              '%1 asks for these Data Lake DIDs. Check where each lands before fetching.',
              props.notebook
            )
          : trans.__('Nothing %1 asks for can be fetched.', props.notebook)}
      </p>
      {plans.map((plan, index) => (
        <div
          key={index}
          className="jp-escape-Datalake-NotebookFetch-group"
          role="group"
          aria-label={
            plan.error
              ? trans.__('Refused')
              : trans.__('To fetch into %1', plan.dest ?? '')
          }
        >
          {plan.error && <ErrorBanner message={plan.error} />}
          <ul className="jp-escape-Datalake-FetchDialog-missing">
            {plan.uses.map(use => {
              const did = didOfUse(use);
              const target = plan.paths.find(p => p.did === did)?.path;
              return (
                <li key={`${use.instance}|${did}`}>
                  <span className="jp-escape-mono">{did}</span>
                  {target !== undefined ? (
                    <>
                      {' → '}
                      <span
                        className="jp-escape-mono"
                        aria-label={trans.__('Lands at')}
                      >
                        {target}
                      </span>
                    </>
                  ) : null}
                  {use.path !== target && (
                    <div className="jp-escape-muted">
                      {trans.__('Recorded in the notebook as')}{' '}
                      <span className="jp-escape-mono">{use.path}</span>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </div>
  );
}
