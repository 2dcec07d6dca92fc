// Installing what the test and bench scripts need from Debian's packages, where that can be done
// without asking anyone: on Debian, as root (as CI runs). Elsewhere the caller is told the one
// command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** True when `apt-get install` can run here unattended: Debian (or a derivative), as root. */
export function canApt() {
  return existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get') && process.getuid?.() === 0;
}

/** The one command that installs `packages` on Debian. */
export function aptCommand(packages) {
  return `sudo apt-get install -y ${packages.join(' ')}`;
}

let updated = false;

/**
 * Installs Debian packages with apt-get (`apt-get update` first, once per process).
 * @returns {boolean} whether every package installed.
 */
export function aptInstall(packages, why) {
  if (!packages.length) return true;
  if (!canApt()) return false;
  console.log(`[setup] installing ${packages.join(' ')} (${why}) with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    updated = spawnSync('apt-get', ['update'], { stdio: 'inherit', env }).status === 0;
    if (!updated) return false;
  }
  return spawnSync('apt-get', ['install', '-y', ...packages], { stdio: 'inherit', env }).status === 0;
}
