// Which URIs CONNECT_OPEN accepts. The stock client strips its own query parameters
// (socket=, mode=, …) before sending the name, so what arrives is the URI the user typed.

import { VirError } from '../../errors.js';

export const ACCEPTED_PATHS = ['/system', '/session'] as const;

/** Returns the URI to open, or throws the VirError libvirt's daemon would report. */
export function checkOpenUri(name: string | null, defaultUri: string): string {
  if (name === null || name === '') return defaultUri;
  let url: URL;
  try {
    url = new URL(name);
  } catch {
    throw new VirError('VIR_ERR_NO_CONNECT', `${name}: not a URI; use fc:///system or fc:///session`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'fc') {
    throw new VirError('VIR_ERR_NO_CONNECT', `${name}: this daemon serves only fc:///system and fc:///session`);
  }
  if (url.host !== '') {
    throw new VirError(
      'VIR_ERR_NO_CONNECT',
      `${name}: a remote host is reached through the client's transport (fc+ssh://host/system), not by this daemon`,
    );
  }
  if (!(ACCEPTED_PATHS as readonly string[]).includes(url.pathname)) {
    throw new VirError(
      'VIR_ERR_INTERNAL_ERROR',
      `unexpected fc URI path '${url.pathname}', try fc:///system or fc:///session`,
    );
  }
  return name;
}
