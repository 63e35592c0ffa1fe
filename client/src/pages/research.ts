import type { UserView } from '../../../server/contract/api.ts';
import type { ResearchSessionView } from '../../../server/contract/research.ts';
import { api } from '../api.ts';
import { BoardSession } from '../board/BoardSession.ts';
import type { Row } from '../api.ts';
import { dayAndTime, t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { fill } from '../research/format.ts';
import { m } from '../research/messages.ts';
import { ResearchClient } from '../research/ResearchClient.ts';
import { openLocalMedia } from '../media/localMedia.ts';
import '../research/research.css';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';

const SESSION_STATE: Record<ResearchSessionView['state'], MessageKey> = {
  scheduled: 'researchScheduled',
  live: 'researchLiveState',
  ended: 'researchEnded',
};

/**
 * 网络教研 (/research): the alliances the account sees (a teacher: its own; overseers: their
 * region's) and their sessions, newest first; a session opens at /research/session?id=.
 */
export function researchPage(root: HTMLElement, user: UserView): void {
  const alliances = h('div', { class: 'rs-grid', 'data-testid': 'research-alliances' });
  const sessions = h('div', { class: 'research', 'data-testid': 'research-sessions' });
  mount(
    root,
    topbar('researchTitle', null, user.realName),
    h(
      'main',
      { class: 'research' },
      h('h2', {}, tr('researchAlliances')),
      alliances,
      h('h2', {}, tr('researchSessions')),
      sessions,
    ),
  );
  Promise.all([
    api.list('alliances', { pageSize: 200 }),
    api.list('research-sessions', { pageSize: 200 }),
  ]).then(
    ([a, s]) => {
      const names = new Map(a.items.map((x) => [x.id, String(x['name'])]));
      alliances.replaceChildren(
        ...(a.items.length ? a.items.map(allianceCard) : [h('p', {}, tr('researchNoAlliance'))]),
      );
      const rows = [...s.items].sort((x, y) =>
        String(y['scheduledStart']).localeCompare(String(x['scheduledStart'])),
      );
      sessions.replaceChildren(
        ...(rows.length
          ? rows.map((r) => sessionCard(r, names.get(String(r['allianceId'])) ?? ''))
          : [h('p', {}, tr('researchNone'))]),
      );
    },
    (error: Error) => alliances.replaceChildren(h('p', { role: 'status' }, error.message)),
  );
}

function allianceCard(a: Row): HTMLElement {
  const level = `level_${String(a['level'])}` as MessageKey;
  const stage = `researchStage_${String(a['stage'])}` as MessageKey;
  const members = (a['memberTeacherIds'] as unknown[]).length + 1;
  return h(
    'article',
    { class: 'rs-card', 'data-testid': 'research-alliance' },
    h('strong', {}, String(a['name'])),
    h(
      'p',
      { class: 'rs-meta' },
      [t(level), String(a['subject']), t(stage), fill('researchMembers', { n: members })].join(' · '),
    ),
    a['description'] ? h('p', {}, String(a['description'] as string)) : null,
  );
}

function sessionCard(s: Row, allianceName: string): HTMLElement {
  const state = String(s['state']) as ResearchSessionView['state'];
  return h(
    'article',
    { class: 'rs-card', 'data-testid': 'research-session', 'data-session': s.id },
    h(
      'div',
      { class: 'rs-row' },
      h('strong', {}, String(s['title'])),
      h('span', { class: 'rs-badge', 'data-state': state }, t(SESSION_STATE[state])),
      h(
        'a',
        { class: 'btn btn-primary', href: `/research/session?id=${s.id}`, 'data-testid': 'research-open' },
        tr('researchJoin'),
      ),
    ),
    h('p', { class: 'rs-meta' }, `${allianceName} · ${dayAndTime(String(s['scheduledStart']))}`),
  );
}

/** One teacher's tile: its camera (or the local preview), its voice, its name. */
interface Tile {
  el: HTMLElement;
  video: HTMLVideoElement;
  audio: HTMLAudioElement;
  /** The leading teacher's switch handing this teacher the board's pen. */
  pen: HTMLButtonElement;
  /** Frames decoded at the last health check (the video plays when the count grows). */
  frames: number;
}

/**
 * One research session (/research/session?id=): its agenda and a grid of its teachers (up
 * to 25), each marked joined or not. A teacher of the alliance enters with its camera and
 * microphone: it sees and hears every other teacher in the grid (N+N; entering counts it as
 * taking part); its leading teacher ends the session. Who joined is re-read every 5 s; each
 * tile says every 2 s whether its video plays and how much of its voice was heard
 * (`data-video`, `data-audio-energy`), for the teacher and for tests.
 *
 * Once entered, the session's shared board (the lesson board: pages, courseware, tools) is
 * above the grid: the leading teacher writes and pages, and hands the pen to a teacher with
 * the 授笔 switch on its tile; the others follow live and write only with the pen.
 */
export function researchSessionPage(root: HTMLElement, user: UserView): void {
  const id = new URLSearchParams(location.search).get('id') ?? '';
  const body = h('main', { class: 'research', 'data-testid': 'research-session-page' });
  mount(root, topbar('researchTitle', null, user.realName), body);
  const status = h('p', { class: 'rs-meta', role: 'status', 'data-testid': 'research-status' });
  const grid = h('section', {
    class: 'rs-grid',
    'data-testid': 'research-grid',
    'aria-label': t('researchParticipants'),
  });
  const head = h('header', { class: 'rs-card' });
  const boardBox = h(
    'section',
    { class: 'rs-board', 'data-testid': 'research-board', 'data-open': 'false', 'aria-label': m('board') },
    m('boardHint'),
  );
  const penLine = h('p', { class: 'rs-meta', role: 'status', 'data-testid': 'research-pen' });
  body.replaceChildren(head, boardBox, penLine, grid, status);
  const tiles = new Map<string, Tile>();
  let media: ResearchClient | null = null;
  let board: BoardSession | null = null;
  let view: ResearchSessionView | null = null;
  const isLead = (): boolean => view?.members[0]?.id === user.id;

  /** Who holds the pen, on the line under the board and on the leading teacher's switches. */
  const showPen = (): void => {
    if (!board) return;
    const holder = board.penHolder;
    const name = view?.members.find((x) => x.id === holder)?.name ?? '';
    penLine.dataset['holder'] = holder ?? '';
    penLine.textContent =
      view?.state === 'ended'
        ? m('ended')
        : holder === user.id
          ? m('penMine')
          : holder
            ? m('penOther', { name })
            : isLead()
              ? m('penLead')
              : m('penNone');
    for (const [memberId, tile] of tiles) {
      const on = holder === memberId;
      tile.pen.hidden = !isLead() || memberId === user.id || view?.state === 'ended';
      tile.pen.setAttribute('aria-pressed', String(on));
      tile.pen.textContent = on ? m('takePen') : m('givePen');
    }
  };
  /** Opens the shared board (after entering: the server checks the seat then). */
  const openBoard = (client: ResearchClient): void => {
    if (board) return;
    board = new BoardSession(client.boardLink(), {
      role: isLead() ? 'teacher' : 'classroom',
      refId: user.id,
    });
    board.on('pen', showPen);
    boardBox.dataset['open'] = 'true';
    boardBox.replaceChildren(board.view.el);
    void board.open().then(showPen);
  };
  const givePen = (memberId: string): void => {
    const holder = board?.penHolder === memberId ? null : memberId;
    board?.change({ t: 'pen', holder }).catch((error: Error) => (status.textContent = error.message));
  };

  const tileOf = (memberId: string, label: string): Tile => {
    let tile = tiles.get(memberId);
    if (tile) return tile;
    const video = h('video', { autoplay: true, playsinline: true, muted: true });
    video.muted = true;
    const audio = h('audio', { autoplay: true });
    const pen = h(
      'button',
      {
        class: 'btn rs-pen',
        type: 'button',
        hidden: true,
        'aria-pressed': 'false',
        'data-testid': 'research-pen-toggle',
        onclick: () => givePen(memberId),
      },
      m('givePen'),
    );
    const el = h(
      'div',
      { class: 'rs-tile', 'data-member': memberId, 'data-testid': 'research-tile', 'data-video': 'none' },
      video,
      audio,
      h('span', { class: 'rs-name' }, label),
      pen,
    );
    tile = { el, video, audio, pen, frames: 0 };
    tiles.set(memberId, tile);
    grid.append(el);
    return tile;
  };

  const render = (next: ResearchSessionView): void => {
    view = next;
    const joined = new Set(next.attendeeIds);
    const lead = next.members[0]?.id === user.id;
    mount(
      head,
      h(
        'div',
        { class: 'rs-row' },
        h('a', { class: 'btn btn-ghost', href: '/research' }, tr('evalBack')),
        h('h1', {}, next.title),
        h(
          'span',
          { class: 'rs-badge', 'data-state': next.state, 'data-testid': 'research-state' },
          t(SESSION_STATE[next.state]),
        ),
      ),
      h(
        'p',
        { class: 'rs-meta' },
        `${next.allianceName} · ${dayAndTime(next.scheduledStart)} · ${fill('researchJoined', { n: joined.size, m: next.members.length })}`,
      ),
      next.agenda ? h('p', { style: 'white-space: pre-line' }, next.agenda) : null,
      h(
        'div',
        { class: 'rs-row' },
        next.canJoin && !media
          ? h(
              'button',
              {
                class: 'btn btn-primary btn-lg',
                type: 'button',
                'data-testid': 'research-join',
                onclick: () => void enter(),
              },
              tr('researchJoin'),
            )
          : null,
        lead && next.state === 'live'
          ? h(
              'button',
              {
                class: 'btn btn-danger btn-lg',
                type: 'button',
                'data-testid': 'research-end',
                onclick: () => end(),
              },
              tr('researchEnd'),
            )
          : null,
      ),
    );
    for (const member of next.members.slice(0, next.gridMax)) {
      const tile = tileOf(
        member.id,
        `${member.name}${member.lead ? ` · ${t('researchLead')}` : ''} · ${member.schoolName}`,
      );
      tile.el.dataset['joined'] = String(joined.has(member.id));
    }
    showPen();
  };

  /** Enters with camera and microphone: every other teacher's media comes into their tiles. */
  const enter = async (): Promise<void> => {
    if (media) return;
    status.textContent = '…';
    const client = new ResearchClient(id);
    media = client;
    client.on('track', ({ userId, kind, track }) => {
      const tile = tiles.get(userId);
      if (!tile) return;
      const target = kind === 'video' ? tile.video : tile.audio;
      target.srcObject = new MediaStream([track]);
      void target.play().catch(() => undefined);
    });
    client.on('state', (state, detail) => {
      status.textContent = state === 'failed' ? (detail ?? '') : '';
      status.dataset['media'] = state;
    });
    client.on('trackfailed', ({ message }) => (status.textContent = message));
    client.on('ended', () => refresh());
    try {
      const stream = await openLocalMedia('classroom');
      const own = tiles.get(user.id);
      if (own) {
        own.video.srcObject = stream;
        void own.video.play().catch(() => undefined);
      }
      await client.join(stream);
      openBoard(client);
      refresh();
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    }
  };
  const end = (): void => {
    api.post<ResearchSessionView>(`/api/research-sessions/${encodeURIComponent(id)}/end`).then(
      (next) => {
        media?.close();
        media = null;
        render(next);
      },
      (error: Error) => (status.textContent = error.message),
    );
  };
  const refresh = (): void => {
    api
      .get<ResearchSessionView>(`/api/research-sessions/${encodeURIComponent(id)}/view`)
      .then(render, (error: Error) => (status.textContent = error.message));
  };
  /** Each remote tile: does its video play, how much of its voice was heard. */
  const health = async (): Promise<void> => {
    const stats = await media?.stats();
    const energy = new Map<string, number>();
    stats?.forEach(
      (s: { type?: string; kind?: string; trackIdentifier?: string; totalAudioEnergy?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio' && s.trackIdentifier)
          energy.set(s.trackIdentifier, s.totalAudioEnergy ?? 0);
      },
    );
    for (const [memberId, tile] of tiles) {
      if (memberId === user.id) continue;
      const frames = tile.video.getVideoPlaybackQuality().totalVideoFrames;
      tile.el.dataset['video'] =
        tile.video.videoWidth > 0 && frames > tile.frames
          ? 'playing'
          : tile.video.srcObject
            ? 'stalled'
            : 'none';
      tile.frames = frames;
      const track = (tile.audio.srcObject as MediaStream | null)?.getAudioTracks()[0];
      tile.el.dataset['audioEnergy'] = String(track ? (energy.get(track.id) ?? 0) : 0);
    }
  };
  refresh();
  const timers = [
    setInterval(() => (document.body.contains(grid) ? refresh() : undefined), 5000),
    setInterval(() => void health(), 2000),
  ];
  window.addEventListener('pagehide', () => {
    for (const timer of timers) clearInterval(timer);
    media?.close();
  });
}
