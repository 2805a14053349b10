/**
 * The user's REANA secrets: names and types as the server lists them (never values), add an
 * environment or file secret, delete one. No JSX. The value typed or read is sent once and
 * dropped: nothing here keeps it after the request.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { VDomModel } from '@jupyterlab/ui-components';

import { errorMessage } from '../../request';
import { IAddSecret, IReanaSecret, ReanaApi } from '../api';
import { untranslated } from './format';

export type SecretsApi = Pick<
  ReanaApi,
  'secrets' | 'addSecret' | 'deleteSecret'
>;

/** What the add form holds; `source` says where a file secret's bytes come from. */
export interface ISecretDraft {
  name: string;
  type: IReanaSecret['type'];
  /** An env secret's value, or a file secret's pasted content. */
  value: string;
  source: 'workspace' | 'paste';
  /** A file secret's workspace path. */
  path: string;
}

/** Same rules as the server's, said before a round trip. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

export function validName(name: string, type: IReanaSecret['type']): boolean {
  return (type === 'env' ? ENV_NAME : FILE_NAME).test(name);
}

export class SecretsModel extends VDomModel {
  constructor(
    private readonly api: SecretsApi,
    /** A workspace file's bytes as base64 (the contents API). */
    private readonly readFile: (path: string) => Promise<string> = () =>
      Promise.reject(new Error('reading workspace files is not available')),
    private readonly trans: TranslationBundle = untranslated()
  ) {
    super();
  }

  get secrets(): IReanaSecret[] | null {
    return this._secrets;
  }
  get loading(): boolean {
    return this._loading;
  }
  get saving(): boolean {
    return this._saving;
  }
  /** Why the list could not be read or a deletion failed: the server's words. */
  get error(): string | null {
    return this._error;
  }
  /** Why the last add failed: the server's words (an existing name is a 409). */
  get addError(): string | null {
    return this._addError;
  }
  /** The last change that worked, for a status line ("API_KEY added."). */
  get lastChange(): { kind: 'added' | 'deleted'; name: string } | null {
    return this._lastChange;
  }

  /** The form changed: an old refusal no longer applies. */
  clearAddError(): void {
    if (this._addError) {
      this._addError = null;
      this.stateChanged.emit();
    }
  }

  async refresh(): Promise<void> {
    this._loading = true;
    this._error = null;
    this.stateChanged.emit();
    try {
      this._secrets = await this.api.secrets();
    } catch (reason) {
      this._error = errorMessage(
        reason,
        this.trans.__('Listing the REANA secrets')
      );
    } finally {
      this._loading = false;
      this.stateChanged.emit();
    }
  }

  /** Add a secret; true when REANA took it. The draft's value is not kept here. */
  async add(draft: ISecretDraft): Promise<boolean> {
    if (this._saving) {
      return false;
    }
    this._saving = true;
    this._addError = null;
    this._lastChange = null;
    this.stateChanged.emit();
    try {
      const body: IAddSecret = { name: draft.name.trim(), type: draft.type };
      if (draft.type === 'file' && draft.source === 'workspace') {
        // The contents API wraps base64 in lines; the server wants it in one piece.
        body.value_base64 = (await this.readFile(draft.path)).replace(
          /\s+/g,
          ''
        );
      } else {
        body.value = draft.value;
      }
      const added = await this.api.addSecret(body);
      this._lastChange = { kind: 'added', name: added.name };
      await this.refresh();
      return true;
    } catch (reason) {
      this._addError = errorMessage(reason, this.trans.__('Adding the secret'));
      return false;
    } finally {
      this._saving = false;
      this.stateChanged.emit();
    }
  }

  async remove(name: string): Promise<boolean> {
    this._error = null;
    this._lastChange = null;
    this.stateChanged.emit();
    try {
      await this.api.deleteSecret(name);
      this._lastChange = { kind: 'deleted', name };
      await this.refresh();
      return true;
    } catch (reason) {
      this._error = errorMessage(reason, this.trans.__('Deleting the secret'));
      this.stateChanged.emit();
      return false;
    }
  }

  private _secrets: IReanaSecret[] | null = null;
  private _loading = false;
  private _saving = false;
  private _error: string | null = null;
  private _addError: string | null = null;
  private _lastChange: { kind: 'added' | 'deleted'; name: string } | null =
    null;
}
