import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import * as React from 'react';

import { CatalogueSidebar } from './components/CatalogueSidebar';
import { IRecordActions } from './components/RecordView';
import { SearchModel } from './model';
import { RecordModel } from './recordModel';

export interface ICatalogueWidgetOptions {
  search: SearchModel;
  trans: TranslationBundle;
  citationStyle: () => string;
  sanitize: (html: string) => string;
  /** Builds the actions of one record (clipboard, notebook, file browser). */
  actionsFor: (record: RecordModel) => IRecordActions;
  /** "My uploads" (publishing); without it the sidebar only searches. */
  uploads?: () => JSX.Element;
}

export type CatalogueView = 'search' | 'uploads';

/** The sidebar widget: owns the search model and the record currently open. */
export class CatalogueWidget extends ReactWidget {
  constructor(private readonly options: ICatalogueWidgetOptions) {
    super();
    this.addClass('jp-escape-CatalogueWidget');
  }

  get search(): SearchModel {
    return this.options.search;
  }

  get record(): RecordModel | null {
    return this._record;
  }

  openRecord(id: string): RecordModel {
    this._record?.dispose();
    const record = new RecordModel(id);
    this._record = record;
    this._view = 'search';
    void record.load();
    void record.restoreJob(); // a fetch of this record that runs, or ended, on the server
    this._changed.emit();
    return record;
  }

  get view(): CatalogueView {
    return this._view;
  }

  /** Show the search (and records) or the user's uploads. */
  setView(view: CatalogueView): void {
    this._view = view;
    this._changed.emit();
  }

  closeRecord(): void {
    this._record?.dispose();
    this._record = null;
    this._changed.emit();
  }

  dispose(): void {
    this._record?.dispose();
    this.options.search.dispose();
    super.dispose();
  }

  /** The first time the sidebar shows, list the newest records rather than nothing. */
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (!this.search.searched && !this.search.loading) {
      void this.search.submit();
    }
  }

  protected render(): JSX.Element {
    return (
      <UseChanged signal={this._changed}>
        {() => (
          <>
            {this.options.uploads && (
              <div className="jp-escape-Catalogue-views" role="tablist">
                {(['search', 'uploads'] as CatalogueView[]).map(view => (
                  <button
                    key={view}
                    role="tab"
                    aria-selected={this._view === view}
                    className={`jp-escape-Catalogue-viewTab${this._view === view ? ' jp-mod-active' : ''}`}
                    onClick={() => this.setView(view)}
                  >
                    {view === 'search'
                      ? this.options.trans.__('Search')
                      : this.options.trans.__('My uploads')}
                  </button>
                ))}
              </div>
            )}
            {this._view === 'uploads' && this.options.uploads ? (
              <div className="jp-escape-Catalogue">
                {this.options.uploads()}
              </div>
            ) : (
              <CatalogueSidebar
                search={this.options.search}
                record={this._record}
                citationStyle={this.options.citationStyle()}
                trans={this.options.trans}
                actions={
                  this._record
                    ? this.options.actionsFor(this._record)
                    : NO_ACTIONS
                }
                sanitize={this.options.sanitize}
                onOpen={id => this.openRecord(id)}
                onBack={() => this.closeRecord()}
              />
            )}
          </>
        )}
      </UseChanged>
    );
  }

  private _record: RecordModel | null = null;
  private _view: CatalogueView = 'search';
  private _changed = new Signal<this, void>(this);
}

function UseChanged(props: {
  signal: Signal<any, void>;
  children: () => JSX.Element;
}): JSX.Element {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const changed = () => setTick(tick => tick + 1);
    props.signal.connect(changed);
    return () => {
      props.signal.disconnect(changed);
    };
  }, [props.signal]);
  return props.children();
}

const noop = () => undefined;
const NO_ACTIONS: IRecordActions = {
  copyCitation: noop,
  insertCitation: noop,
  insertInstall: noop,
  fetchFiles: noop,
  cancelFetch: noop,
  retryFetch: noop,
  removeFetch: noop,
  openPage: noop,
  openFolder: noop,
  showImages: noop
};
