// fcvirt's own version (virConnectGetLibVersion), kept equal to package.json's by a test.
export const FCVIRT_VERSION = '0.1.0';

/** major·10⁶ + minor·10³ + micro, libvirt's encoding. */
export const FCVIRT_VERSION_NUMBER = ((): number => {
  const [major = 0, minor = 0, micro = 0] = FCVIRT_VERSION.split('.').map(Number);
  return major * 1_000_000 + minor * 1_000 + micro;
})();
