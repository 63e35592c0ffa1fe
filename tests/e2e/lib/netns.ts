import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCpuGroup, prioritizePacketTiming } from './cpuPriority.ts';
import type { CpuGroup } from './cpuPriority.ts';

/**
 * Shaped school links for browser tests and benchmarks: each classroom gets a network
 * namespace joined to the host by a veth pair, with a rate cap (tbf) on both directions, loss
 * (iptables `statistic`) and delay (NFQUEUE held by `nfqdelay.py`) on both directions, and a
 * cut (everything dropped) that can be lifted. The server is reached on one address put on the
 * host's loopback, which every namespace reaches through its default route.
 *
 * Why not netem: this kernel is built without sch_netem (CONFIG_NET_SCH_NETEM is not set), so
 * loss and delay come from iptables (the kernel has nftables' xt compatibility, but no nft
 * `queue` expression) and a small user-space delayer; tbf does the rate.
 *
 * Needs root, `ip`, `tc`, `iptables` and `python3` (Debian: iproute2, iptables, python3).
 */

/** How one direction-symmetric school link behaves. */
export interface LinkShape {
  /** Rate cap in each direction, kbit/s. */
  rateKbit: number;
  /** Random loss in each direction, %. @default 0 */
  lossPct?: number;
  /** One-way delay added in each direction, ms (the round trip grows by twice this). @default 0 */
  delayMs?: number;
}

/**
 * Several labs may run at once on one machine (test runs on different E2E ports, a benchmark):
 * each takes a free slot (0…SLOTS-1) for its names, addresses and queues, and touches only
 * what carries its slot. Namespaces are `sclk<slot>-<pid>-ns<i>` (the pid of the process that
 * owns the lab), interfaces `sclk<slot>h<i>` / `sclk<slot>n<i>` (at most 9 of the 15
 * characters Linux allows), the server's address 10.<214+slot>.0.1 on the host's loopback and
 * link i on 10.<214+slot>.i.0/24, the host-side delay queues 1000+100·slot+i. The server's
 * address is the claim (adding it fails while another lab holds it). A lab whose owner process
 * died (a killed run) is removed by the next lab that starts.
 */
const SLOTS = 32;
/** First second octet of the labs' networks (10.213 was the single lab's, before slots). */
const NET_BASE = 214;
const DELAYER = path.join(import.meta.dirname, 'nfqdelay.py');

/** The names, addresses and queues of the lab in `slot`. */
function slotNames(slot: number): { prefix: string; net: string; queueBase: number } {
  return { prefix: `sclk${slot}`, net: `10.${NET_BASE + slot}`, queueBase: 1000 + 100 * slot };
}

/** A namespace of a lab: its slot and the pid of the process that owns the lab. */
const LAB_NS = /^sclk(\d+)-(\d+)-ns\d+$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function run(cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`, {
      cause: error,
    });
  }
}

function tryRun(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Why shaped links cannot be made here, or null when they can. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces and tc need root (run the tests as root)';
  for (const [tool, pkg] of [
    ['ip', 'iproute2'],
    ['tc', 'iproute2'],
    ['iptables', 'iptables'],
    ['python3', 'python3'],
  ] as const) {
    try {
      execFileSync(tool, tool === 'python3' ? ['--version'] : ['-V'], { stdio: 'ignore' });
    } catch {
      return `\`${tool}\` is missing (Debian package ${pkg}; npm run setup -- --for-tests installs it)`;
    }
  }
  return null;
}

/** One classroom's school link: a namespace, its veth pair and the shaping on it. */
export class SchoolLink {
  readonly index: number;
  /** Network namespace the classroom's browser runs in. */
  readonly ns: string;
  /** The classroom's address (inside the namespace). */
  readonly ip: string;
  readonly #hostIf: string;
  readonly #nsIf: string;
  readonly #net: string;
  /** The host side's delay queue (the namespace side's is 0: queues are per network namespace). */
  readonly #hostQueue: number;
  readonly #delayers: ChildProcess[] = [];
  /** iptables rules added (to delete them again: those on the host outlive the namespace). */
  readonly #rules: { prefix: string[]; rule: string[] }[] = [];
  #cut = false;

  /** Link `index` (1…99) of the lab in `slot`, owned by process `owner`. */
  constructor(slot: number, index: number, owner: number) {
    const { prefix, net, queueBase } = slotNames(slot);
    this.index = index;
    this.ns = `${prefix}-${owner}-ns${index}`;
    this.ip = `${net}.${index}.2`;
    this.#net = net;
    this.#hostQueue = queueBase + index;
    this.#hostIf = `${prefix}h${index}`;
    this.#nsIf = `${prefix}n${index}`;
  }

  /** Creates the namespace and its veth pair, addressed and routed to the host. */
  create(): void {
    const hostIp = `${this.#net}.${this.index}.1`;
    run('ip', ['netns', 'add', this.ns]);
    run('ip', ['link', 'add', this.#hostIf, 'type', 'veth', 'peer', 'name', this.#nsIf]);
    run('ip', ['link', 'set', this.#nsIf, 'netns', this.ns]);
    run('ip', ['addr', 'add', `${hostIp}/24`, 'dev', this.#hostIf]);
    run('ip', ['link', 'set', this.#hostIf, 'up']);
    run('ip', ['-n', this.ns, 'addr', 'add', `${this.ip}/24`, 'dev', this.#nsIf]);
    run('ip', ['-n', this.ns, 'link', 'set', this.#nsIf, 'up']);
    run('ip', ['-n', this.ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', this.ns, 'route', 'add', 'default', 'via', hostIp]);
  }

  /**
   * The two receiving ends of the link: the classroom's side receives the downlink, the
   * host's side the uplink. Loss, delay and cuts act where packets arrive (mangle PREROUTING),
   * never on a sender's own output, where a dropped packet would fail the browser's send()
   * with EPERM instead of vanishing on the wire.
   */
  #ends(): { prefix: string[]; iface: string; queue: number }[] {
    return [
      { prefix: ['ip', 'netns', 'exec', this.ns], iface: this.#nsIf, queue: 0 },
      { prefix: [], iface: this.#hostIf, queue: this.#hostQueue },
    ];
  }

  #iptables(prefix: string[], args: string[]): void {
    const [cmd, ...rest] = [...prefix, 'iptables', '-w', '-t', 'mangle', ...args];
    run(cmd!, rest);
  }

  /**
   * Shapes the link (both directions). Replaces any previous shape; resolves once the
   * delayers, if any, are listening.
   */
  async shape({ rateKbit, lossPct = 0, delayMs = 0 }: LinkShape): Promise<void> {
    // tbf: the bucket holds ~10 ms of traffic (at least two full packets), the queue ~150 ms.
    const burst = Math.max(3200, Math.round((rateKbit * 1000) / 8 / 100));
    const tbf = ['root', 'tbf', 'rate', `${rateKbit}kbit`, 'burst', String(burst), 'latency', '150ms'];
    run('tc', ['qdisc', 'replace', 'dev', this.#hostIf, ...tbf]);
    run('ip', ['netns', 'exec', this.ns, 'tc', 'qdisc', 'replace', 'dev', this.#nsIf, ...tbf]);
    this.#unshape();
    for (const { prefix, iface, queue } of this.#ends()) {
      const rules: string[][] = [];
      if (lossPct > 0) {
        const p = String(lossPct / 100);
        rules.push(['-i', iface, '-m', 'statistic', '--mode', 'random', '--probability', p, '-j', 'DROP']);
      }
      if (delayMs > 0) rules.push(['-i', iface, '-j', 'NFQUEUE', '--queue-num', String(queue)]);
      for (const rule of rules) {
        this.#iptables(prefix, ['-A', 'PREROUTING', ...rule]);
        this.#rules.push({ prefix, rule });
      }
      if (delayMs === 0) continue;
      // The queue rule has no bypass: until the delayer listens (and if it dies) the link is
      // dead rather than undelayed, so a broken delayer cannot pass for a healthy link.
      const [cmd, ...args] = [...prefix, 'python3', DELAYER, String(queue), String(delayMs)];
      const delayer = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      this.#delayers.push(delayer);
      await new Promise<void>((resolve, reject) => {
        delayer.once('error', reject);
        delayer.once('exit', (code) => reject(new Error(`nfqdelay exited with ${code}`)));
        delayer.stdout?.once('data', () => resolve());
      });
    }
  }

  /** Cuts the link (every packet dropped, both directions) or restores it. */
  setCut(cut: boolean): void {
    if (cut === this.#cut) return;
    this.#cut = cut;
    for (const { prefix, iface } of this.#ends())
      this.#iptables(prefix, [
        cut ? '-I' : '-D',
        'PREROUTING',
        ...(cut ? ['1'] : []),
        '-i',
        iface,
        '-j',
        'DROP',
      ]);
  }

  #unshape(): void {
    for (const delayer of this.#delayers.splice(0)) {
      delayer.removeAllListeners('exit');
      delayer.kill('SIGTERM');
    }
    for (const { prefix, rule } of this.#rules.splice(0)) {
      try {
        this.#iptables(prefix, ['-D', 'PREROUTING', ...rule]);
      } catch {
        // the namespace went first
      }
    }
  }

  /** A shell script that runs Chromium inside this link's namespace (for Playwright's executablePath). */
  chromiumWrapper(dir: string, chromium = '/usr/bin/chromium'): string {
    const file = path.join(dir, `chromium-${this.ns}.sh`);
    fs.writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${this.ns} ${chromium} "$@"\n`, { mode: 0o755 });
    return file;
  }

  /** Removes the namespace (its processes are the caller's to end first). */
  destroy(): void {
    if (this.#cut) this.setCut(false);
    this.#unshape();
    tryRun('ip', ['netns', 'delete', this.ns]);
    tryRun('ip', ['link', 'delete', this.#hostIf]);
  }
}

/** A set of school links around one server address on the host. */
export class LinkLab {
  /** This lab's slot (its names, addresses and queues; see SLOTS). */
  readonly slot: number;
  /** Where the server listens (HTTP and media), reachable from every namespace. */
  readonly serverIp: string;
  readonly links: SchoolLink[];
  /** Scratch folder for wrapper scripts. */
  readonly dir: string;
  /** The CPU group this process and all it starts run in (null: normal priority). */
  cpuGroup: CpuGroup | null = null;
  /** Raises the packet-timing threads of what the lab starts, as they start (see cpuPriority.ts). */
  #prioritizer: NodeJS.Timeout | undefined;

  private constructor(slot: number, count: number) {
    this.slot = slot;
    this.serverIp = `${slotNames(slot).net}.0.1`;
    this.links = Array.from({ length: count }, (_, i) => new SchoolLink(slot, i + 1, process.pid));
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'links-'));
  }

  /**
   * Builds `count` links (at most 99) in a free slot, after removing the labs whose owner
   * process died; other labs running now are left alone.
   * @throws Error saying why, when namespaces cannot be made here or every slot is taken
   */
  static create(count: number): LinkLab {
    const why = labUnavailable();
    if (why) throw new Error(`shaped school links are not possible here: ${why}`);
    if (count < 1 || count > 99) throw new RangeError(`a lab has 1 to 99 links, not ${count}`);
    LinkLab.removeDeadLabs();
    const lab = new LinkLab(LinkLab.#claimSlot(), count);
    try {
      // This process, and so the server, browsers and delayers it starts, get the cores first.
      lab.cpuGroup = createCpuGroup(`${slotNames(lab.slot).prefix}-lab`);
      if (lab.cpuGroup) {
        const group = lab.cpuGroup;
        group.add(process.pid);
        const raised = new Set<number>();
        lab.#prioritizer = setInterval(() => prioritizePacketTiming(group, raised), 1000).unref();
      } else process.emitWarning('no CPU control group: the link lab runs at normal priority');
      for (const link of lab.links) link.create();
    } catch (error) {
      lab.destroy();
      throw error;
    }
    return lab;
  }

  /** Takes the first slot whose server address is free by adding that address (atomic: one lab wins). */
  static #claimSlot(): number {
    const taken: string[] = [];
    for (let slot = 0; slot < SLOTS; slot++) {
      try {
        execFileSync('ip', ['addr', 'add', `${slotNames(slot).net}.0.1/32`, 'dev', 'lo'], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        return slot;
      } catch (error) {
        const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
        if (!/exists|already assigned/i.test(stderr))
          throw new Error(`ip addr add failed: ${stderr.trim()}`, { cause: error });
        taken.push(String(slot));
      }
    }
    throw new Error(`every link lab slot (${taken.join(' ')}) is taken by a running lab`);
  }

  /**
   * Removes every lab whose owning process is gone (a killed run): its namespaces (ending what
   * still runs in them), interfaces, host rules, host delayers and server address. (Not locked:
   * if two labs start while a third has just reclaimed a dead lab's slot, the slower cleaner
   * could remove the newcomer's host side. Labs starting within the same second are rare.)
   */
  static removeDeadLabs(): void {
    const dead = new Map<number, string[]>();
    const living = new Set<number>();
    for (const line of run('ip', ['netns', 'list']).split('\n')) {
      const name = line.split(' ')[0] ?? '';
      const match = LAB_NS.exec(name);
      if (!match) continue;
      const slot = Number(match[1]);
      if (alive(Number(match[2]))) living.add(slot);
      else dead.set(slot, [...(dead.get(slot) ?? []), name]);
    }
    for (const [slot, namespaces] of dead) {
      // A slot with a living owner's namespace too: that lab holds it now, only the dead names go.
      const whole = !living.has(slot);
      for (const name of namespaces) {
        // Processes left in it (browsers, delayers) die with their network, not before: end them.
        for (const pid of run('ip', ['netns', 'pids', name]).split(/\s+/).filter(Boolean))
          tryRun('kill', ['-9', pid]);
        tryRun('ip', ['netns', 'delete', name]);
      }
      if (whole) LinkLab.#removeSlotHostSide(slot);
    }
  }

  /** What a dead lab in `slot` left on the host: interfaces, mangle rules, delayers, the server address. */
  static #removeSlotHostSide(slot: number): void {
    const { prefix, net, queueBase } = slotNames(slot);
    const hostIf = new RegExp(`^${prefix}h\\d+$`);
    for (const line of run('ip', ['-o', 'link', 'show']).split('\n')) {
      const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
      if (name && hostIf.test(name)) tryRun('ip', ['link', 'delete', name]);
    }
    for (const line of run('iptables', ['-w', '-t', 'mangle', '-S', 'PREROUTING']).split('\n')) {
      const iface = / -i (\S+)/.exec(line)?.[1];
      if (!line.startsWith('-A PREROUTING') || !iface || !hostIf.test(iface)) continue;
      tryRun('iptables', ['-w', '-t', 'mangle', '-D', ...line.slice(3).split(' ')]);
    }
    // Host-side delayers: `python3 …/nfqdelay.py <queue> <delay>` with this slot's queue.
    for (const line of run('ps', ['-eo', 'pid=,args=']).split('\n')) {
      const [id, ...args] = line.trim().split(/\s+/);
      const at = args.findIndex((arg) => arg.endsWith('/nfqdelay.py'));
      const queue = Number(args[at + 1]);
      if (id && at >= 0 && queue >= queueBase && queue < queueBase + 100) tryRun('kill', [id]);
    }
    tryRun('ip', ['addr', 'del', `${net}.0.1/32`, 'dev', 'lo']);
  }

  /** Removes this lab's links, CPU group and server address (nothing of another lab). */
  destroy(): void {
    clearInterval(this.#prioritizer);
    for (const link of this.links) link.destroy();
    this.cpuGroup?.remove(process.pid);
    tryRun('ip', ['addr', 'del', `${this.serverIp}/32`, 'dev', 'lo']);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
