// Memory sizes with libvirt's units (virScaleInteger): b/byte/bytes, k/KiB…e/EiB in powers of
// 1024, KB…EB in powers of 1000, case-insensitive, KiB when absent; stored in KiB, rounded up.
import { VirError } from '../errors.js';

const ULLONG_MAX = (1n << 64n) - 1n;

/** Bytes per unit, keyed by the unit in lower case. */
const scales = new Map<string, bigint>([['', 1024n], ['b', 1n], ['byte', 1n], ['bytes', 1n]]);
for (const [index, letter] of ['k', 'm', 'g', 't', 'p', 'e'].entries()) {
  const exponent = BigInt(index + 1);
  scales.set(letter, 1024n ** exponent);
  scales.set(`${letter}ib`, 1024n ** exponent);
  scales.set(`${letter}b`, 1000n ** exponent);
}

/**
 * Parses a size as written (`text` with `unit`) into KiB. `element` names it in messages
 * ("<memory>") and `where` gives the location they end with (only computed on error).
 */
export function parseScaledKiB(text: string, unit: string | undefined, element: string, where: () => string): number {
  const scale = scales.get((unit ?? '').toLowerCase());
  if (scale === undefined) {
    throw new VirError(
      'VIR_ERR_INVALID_ARG',
      `unknown suffix '${unit ?? ''}' in ${element} unit: use b, KiB, MiB, GiB or TiB (KB, MB, GB, TB for powers of 1000)${where()}`,
      { domain: 'VIR_FROM_DOMAIN' },
    );
  }
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) {
    throw new VirError(
      'VIR_ERR_XML_ERROR',
      `invalid value '${trimmed}' for ${element}: expected a non-negative integer${where()}`,
      { domain: 'VIR_FROM_DOMAIN' },
    );
  }
  // Plain numbers are exact below 2^53, which covers any size a guest can have; BigInt otherwise.
  const bytes = Number(trimmed) * Number(scale);
  if (Number.isSafeInteger(bytes)) return Math.ceil(bytes / 1024);
  const exact = BigInt(trimmed) * scale;
  const kib = (exact + 1023n) / 1024n;
  if (exact > ULLONG_MAX || kib > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new VirError('VIR_ERR_OVERFLOW', `value too large: ${trimmed}${unit ?? ''} for ${element}${where()}`, {
      domain: 'VIR_FROM_DOMAIN',
    });
  }
  return Number(kib);
}
