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
 * 3.4–4.5 and 1.5–2.0 Mbit/s. Nice values on whole processes do not do it: Chromium sets its
 * renderers' own (they encode and decode), and a group's weight holds for every process started
 * in it. Within the group the lab's own processes still compete for the two cores; there
 * `prioritizePacketTiming` puts the few threads that stamp packet times first.
 *
 * Linux cgroup v1 (`cpu.shares`) or v2 (`cpu.weight`), root only; where neither can be made,
 * `createCpuGroup` returns null and the lab runs at normal priority.
 */
import fs from 'node:fs';
import os from 'node:os';
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

/**
 * The threads that stamp packet times for the bandwidth estimates, by process and thread name:
 * every thread of a mediasoup worker, of Chromium's network service (its UDP sockets send and
 * receive there) and of the link delayer; in Chromium's renderers, WebRTC's own threads (pacer,
 * transport feedback) and the IPC thread that brings packets from the network service.
 */
function stampsPacketTimes(processName: string, cmdline: string, threadName: string): boolean {
  if (processName === 'mediasoup-worke') return true;
  if (cmdline.includes('nfqdelay.py')) return true;
  if (!cmdline.includes('chromium')) return false;
  if (cmdline.includes('--utility-sub-type=network.mojom.NetworkService')) return true;
  return cmdline.includes('--type=renderer') && /^(WebRTC_|Chrome_ChildIOT)/.test(threadName);
}

/**
 * Gives the packet-timing threads among `group`'s tasks the highest nice value (-20), once
 * each; returns how many it changed. Call it again as processes and threads start.
 *
 * Why: the lab stands in for a server and several schools' computers on two shared cores. On
 * separate machines a kiosk's decoding never delays the server's packet handling; here it
 * does, and the delay-based bandwidth estimates read those delays as a queue on the link (the
 * SFU estimated an idle 6 Mbit/s link at 0.1–0.5 Mbit/s with every core busy). These threads
 * need a few percent of a core; with them first, the encoders, decoders and compositors get
 * the rest, as they would on their own machines.
 */
export function prioritizePacketTiming(group: CpuGroup, done: Set<number>): number {
  // cgroup v1 lists a group's threads in `tasks`, v2 in `cgroup.threads`.
  const list = ['tasks', 'cgroup.threads'].map((f) => path.join(group.dir, f)).find((f) => fs.existsSync(f));
  if (!list) return 0;
  const tasks = fs.readFileSync(list, 'utf8').split('\n').filter(Boolean);
  const picked: number[] = [];
  for (const task of tasks) {
    const tid = Number(task);
    if (done.has(tid)) continue;
    try {
      const pid = fs.readFileSync(`/proc/${tid}/status`, 'utf8').match(/^Tgid:\s+(\d+)/m)?.[1];
      const processName = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const threadName = fs.readFileSync(`/proc/${tid}/comm`, 'utf8').trim();
      if (stampsPacketTimes(processName, cmdline, threadName)) picked.push(tid);
    } catch {
      // the thread ended
    }
  }
  for (const tid of picked) {
    try {
      os.setPriority(tid, -20);
      done.add(tid);
    } catch {
      // the thread ended
    }
  }
  return picked.length;
}
