/**
 * Fetching what a notebook records in its metadata. The metadata may come from anyone (a shared
 * notebook), so nothing here trusts it: only trusted notebooks are offered a fetch, the server is
 * asked where each DID would land before anything starts (the user sees and confirms that), and
 * every request says it comes from a notebook so that the server confines it to its fetch folder.
 */
import { INotebookModel } from '@jupyterlab/notebook';

import { errorMessage } from '../request';
import { FetchOrigin, IFetchCheck, IFetchJob } from './fetchApi';
import { destinationOf, didOfUse, IDatalakeUse } from './notebookUse';

export const NOTEBOOK_ORIGIN: FetchOrigin = 'notebook';

/**
 * Whether the notebook is trusted: every code cell trusted, as JupyterLab 4 decides it
 * (`Notebook._shouldTrustCell`: only code cells carry trust on disk, set by the server from the
 * notebook's signature), and at least one of them has content. JupyterLab adds a trusted empty
 * code cell to a notebook saved without cells, so an empty cell is no evidence of trust: a shared
 * notebook with `"cells": []` and Data Lake metadata must not count as trusted.
 */
export function isNotebookTrusted(
  model: Pick<INotebookModel, 'cells'> | null | undefined
): boolean {
  if (!model) {
    return false;
  }
  let evidence = false;
  for (const cell of model.cells) {
    if (cell.type !== 'code') {
      continue;
    }
    if (!cell.trusted) {
      return false;
    }
    if (cell.sharedModel.getSource().trim() !== '') {
      evidence = true;
    }
  }
  return evidence;
}

/** DIDs that go in one request: same Rucio instance, same destination folder. */
export interface INotebookFetchGroup {
  instance: string;
  /** The folder the notebook asks for; undefined for the server's default. */
  dest?: string;
  uses: IDatalakeUse[];
}

/** A group with the server's answer to the same request made with `check`. */
export interface INotebookFetchPlan extends INotebookFetchGroup {
  /** Where each DID would land, as the server says. */
  paths: IFetchCheck['paths'];
  /** The server's refusal as written (nothing of this group will start). */
  error: string | null;
}

/** One request per (instance, destination), in the order the notebook records them. */
export function groupMissing(missing: IDatalakeUse[]): INotebookFetchGroup[] {
  const groups = new Map<string, INotebookFetchGroup>();
  for (const use of missing) {
    const dest = destinationOf(use);
    const key = JSON.stringify([use.instance, dest ?? null]);
    const group = groups.get(key) ?? { instance: use.instance, dest, uses: [] };
    group.uses.push(use);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export type CheckFetch = (
  dids: string[],
  dest: string | undefined,
  instance: string | undefined,
  origin: FetchOrigin
) => Promise<IFetchCheck>;

export type StartFetch = (
  dids: string[],
  dest: string | undefined,
  instance: string | undefined,
  origin: FetchOrigin
) => Promise<IFetchJob>;

function isCheckAnswer(value: unknown): value is IFetchCheck {
  const paths = (value as IFetchCheck | null)?.paths;
  return (
    // A job (an id) means a server that does not know `check` started it: not an answer.
    typeof value === 'object' &&
    value !== null &&
    !('id' in value) &&
    Array.isArray(paths) &&
    paths.every(
      p =>
        typeof p === 'object' &&
        p !== null &&
        typeof p.did === 'string' &&
        typeof p.path === 'string'
    )
  );
}

/** Ask the server where each group would land; nothing starts. */
export async function planNotebookFetch(
  check: CheckFetch,
  missing: IDatalakeUse[]
): Promise<INotebookFetchPlan[]> {
  return Promise.all(
    groupMissing(missing).map(async group => {
      try {
        const answer = await check(
          group.uses.map(didOfUse),
          group.dest,
          group.instance || undefined,
          NOTEBOOK_ORIGIN
        );
        if (!isCheckAnswer(answer)) {
          // Never start on an answer we cannot show the user.
          return {
            ...group,
            paths: [],
            error:
              'The server did not say where these DIDs would land; nothing was fetched.'
          };
        }
        return { ...group, paths: answer.paths, error: null };
      } catch (reason) {
        return {
          ...group,
          paths: [],
          error: errorMessage(reason, 'Checking the destination')
        };
      }
    })
  );
}

/** Start the groups the server accepted, one request (one job) each; the refusals as written. */
export async function startPlans(
  start: StartFetch,
  plans: INotebookFetchPlan[]
): Promise<string[]> {
  const errors: string[] = [];
  for (const plan of plans) {
    if (plan.error) {
      continue;
    }
    try {
      await start(
        plan.uses.map(didOfUse),
        plan.dest,
        plan.instance || undefined,
        NOTEBOOK_ORIGIN
      );
    } catch (reason) {
      errors.push(errorMessage(reason, 'Fetch'));
    }
  }
  return errors;
}
