import type { Role, UserView } from '../../server/contract/api.ts';
import { ApiError, api } from './api.ts';
import { homeOf, homePage } from './pages/home.ts';

const root = document.getElementById('app')!;
/** Who evaluates lessons and takes part in or oversees research (听课评课, 网络教研). */
const EVALUATORS: readonly Role[] = ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'];

type Page = (root: HTMLElement, user: UserView) => void;

/**
 * The pages by path, each loaded with its own `import()` so that a page downloads only its
 * own code: the classroom kiosk and the sign-in page never fetch echarts, pdf.js or the
 * management pages (Vite splits each import into its own chunk).
 */
const PAGES: Readonly<Record<string, { allowed: (role: Role) => boolean; load: () => Promise<Page> }>> = {
  '/replay': { allowed: () => true, load: async () => (await import('./pages/replay.ts')).replayPage },
  '/library': {
    allowed: (role) => ['teacher', 'coordinator', 'bureau', 'admin'].includes(role),
    load: async () => (await import('./pages/library.ts')).libraryPage,
  },
  '/studio': {
    allowed: (role) => role === 'teacher',
    load: async () => (await import('./pages/studio.ts')).studioPage,
  },
  '/evaluate': {
    allowed: (role) => EVALUATORS.includes(role),
    load: async () => (await import('./pages/evaluate.ts')).evaluatePage,
  },
  '/evaluations': {
    allowed: (role) => EVALUATORS.includes(role),
    load: async () => (await import('./pages/evaluations.ts')).evaluationsPage,
  },
  '/research': {
    allowed: (role) => EVALUATORS.includes(role),
    load: async () => (await import('./pages/research.ts')).researchPage,
  },
  '/research/session': {
    allowed: (role) => EVALUATORS.includes(role),
    load: async () => (await import('./pages/research.ts')).researchSessionPage,
  },
  '/inspection': {
    allowed: (role) => ['admin', 'bureau', 'coordinator', 'inspector'].includes(role),
    load: async () => (await import('./pages/inspection.ts')).inspectionPage,
  },
  '/classroom': {
    allowed: (role) => role === 'classroom',
    load: async () => (await import('./pages/classroom.ts')).classroomPage,
  },
  '/manage': {
    // Teachers and inspectors find their alliances and the rubrics there (not their home page).
    allowed: (role) => homeOf(role) === '/manage' || role === 'teacher' || role === 'inspector',
    load: async () => (await import('./pages/manage.ts')).managePage,
  },
};

async function route(): Promise<void> {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/login') {
    (await import('./pages/login.ts')).loginPage(root);
    return;
  }
  let user: UserView;
  try {
    user = await api.me();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
      location.replace(`/login?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    throw error;
  }
  const page = PAGES[path];
  if (page?.allowed(user.role)) {
    (await page.load())(root, user);
    return;
  }
  const home = homeOf(user.role);
  if (home !== '/' && path !== home) location.replace(home);
  else homePage(root, user);
}

void route();
