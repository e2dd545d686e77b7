// Memory sizes with libvirt's units (virScaleInteger): b/byte/bytes, k/KiB…e/EiB in powers of
// 1024, KB…EB in powers of 1000, case-insensitive, KiB when absent; stored in KiB, rounded up.
import { VirError } from '../errors.js';

const exponents: Readonly<Record<string, bigint>> = { k: 1n, m: 2n, g: 3n, t: 4n, p: 5n, e: 6n };
const ULLONG_MAX = (1n << 64n) - 1n;

/** Bytes per unit, or undefined when libvirt does not know the unit. */
function unitScale(unit: string): bigint | undefined {
  const lower = unit.toLowerCase();
  if (lower === '') return 1024n;
  if (lower === 'b' || lower === 'byte' || lower === 'bytes') return 1n;
  const exponent = exponents[lower.charAt(0)];
  if (exponent === undefined) return undefined;
  const rest = lower.slice(1);
  if (rest === '' || rest === 'ib') return 1024n ** exponent;
  if (rest === 'b') return 1000n ** exponent;
  return undefined;
}

/**
 * Parses a size as written (`text` with `unit`) into KiB. `element` names it in messages
 * ("<memory>") and `where` gives the location they end with (only computed on error).
 */
export function parseScaledKiB(text: string, unit: string | undefined, element: string, where: () => string): number {
  const scale = unitScale(unit ?? '');
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
  const bytes = BigInt(trimmed) * scale;
  const kib = (bytes + 1023n) / 1024n;
  if (bytes > ULLONG_MAX || kib > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new VirError('VIR_ERR_OVERFLOW', `value too large: ${trimmed}${unit ?? ''} for ${element}${where()}`, {
      domain: 'VIR_FROM_DOMAIN',
    });
  }
  return Number(kib);
}
