import { formatBytes } from '../common/format';
import { IDidDetails } from './api';

/** A Python string literal for any DID name (quotes, backslashes, unicode). */
function pyString(text: string): string {
  return JSON.stringify(text);
}

/** Ready-to-paste Python that fetches the DID with the Rucio client of the kernel. */
export function pythonSnippet(
  details: Pick<IDidDetails, 'did' | 'type' | 'bytes' | 'length'>
): string {
  const size =
    details.type === 'file'
      ? formatBytes(details.bytes)
      : `${details.length ?? '?'} files, ${formatBytes(details.bytes)}`;
  return [
    'from rucio.client.downloadclient import DownloadClient',
    '',
    `# ${details.did} (${details.type}, ${size})`,
    `did = ${pyString(details.did)}`,
    'DownloadClient().download_dids([{"did": did, "base_dir": "datalake"}])',
    ''
  ].join('\n');
}

/** The Rucio WebUI page of a DID, when the operator configured the WebUI. */
export function webuiUrl(
  webui: string | null | undefined,
  scope: string,
  name: string
): string | null {
  if (!webui) {
    return null;
  }
  const query = new URLSearchParams({ scope, name });
  return `${webui.replace(/\/$/, '')}/did?${query.toString()}`;
}
