/**
 * A CPU control group that gets the cores before other work on the machine, for the shaped-link
 * lab's own processes (server, media workers, browsers, delayers).
 *
 * Why: on a machine shared with other work, a lab process that waits for a core stamps the
 * packets it receives late (or sends a burst after a pause), and the delay-based bandwidth
 * estimates read that as a queue building up on the link. At a load average of 20–27 on two
 * cores (other engineers' type checks, linters and fuzzers), the teacher's browser estimated its
 * loopback uplink at 0.1–0.9 Mbit/s and stopped sending its 720p layer, and the SFU estimated an
 * unshaped 6 Mbit/s classroom link at 0.05–0.5 Mbit/s; in the group, at a load average of 28–39,
 * 3.4–4.5 and 1.5–2.0 Mbit/s. Nice values do not do it: Chromium sets its renderers' own
 * (they encode and decode), and a group's weight holds for every process started in it.
 *
 * Linux cgroup v1 (`cpu.shares`) or v2 (`cpu.weight`), root only; where neither can be made,
 * `createCpuGroup` returns null and the lab runs at normal priority.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The lab's CPU control group. */
export interface CpuGroup {
  /** Where the group is (its cgroup.procs lists its processes). */
  readonly dir: string;
  /** Moves a process into the group; the processes it starts from then on are in it too. */
  add(pid: number): void;
  /** Moves `pid` back to the root group and removes the group (what is left in it keeps running). */
  remove(pid: number): void;
}

const V1 = '/sys/fs/cgroup/cpu';
const V2 = '/sys/fs/cgroup';

/** Creates (or reuses) the group `name` with the highest CPU weight there is. */
export function createCpuGroup(name: string): CpuGroup | null {
  const v1 = fs.existsSync(path.join(V1, 'cpu.shares'));
  const root = v1 ? V1 : V2;
  try {
    if (!v1) {
      // cgroup v2: the cpu controller must be enabled for the root's children.
      const controllers = fs.readFileSync(path.join(V2, 'cgroup.controllers'), 'utf8');
      if (!controllers.split(/\s+/).includes('cpu')) return null;
      fs.writeFileSync(path.join(V2, 'cgroup.subtree_control'), '+cpu');
    }
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    // The maxima: 262144 shares (v1) and weight 10000 (v2) against 1024 and 100 by default.
    fs.writeFileSync(path.join(dir, v1 ? 'cpu.shares' : 'cpu.weight'), v1 ? '262144' : '10000');
    return {
      dir,
      add: (pid) => fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid)),
      remove: (pid) => {
        try {
          fs.writeFileSync(path.join(root, 'cgroup.procs'), String(pid));
          fs.rmdirSync(dir);
        } catch {
          // Processes left in it (the next lab reuses it) or already gone.
        }
      },
    };
  } catch {
    return null;
  }
}
