import type { UserView } from '../../server/contract/api.ts';
import { ApiError, api } from './api.ts';
import { classroomPage } from './pages/classroom.ts';
import { homeOf, homePage } from './pages/home.ts';
import { loginPage } from './pages/login.ts';
import { managePage } from './pages/manage.ts';
import { replayPage } from './pages/replay.ts';
import { libraryPage } from './pages/library.ts';
import { studioPage } from './pages/studio.ts';
import { evaluatePage } from './pages/evaluate.ts';
import { evaluationsPage } from './pages/evaluations.ts';
import { researchPage, researchSessionPage } from './pages/research.ts';
import { inspectionPage } from './pages/inspection.ts';

const root = document.getElementById('app')!;
/** Who evaluates lessons and takes part in or oversees research (听课评课, 网络教研). */
const EVALUATORS: readonly string[] = ['admin', 'bureau', 'coordinator', 'inspector', 'teacher'];

async function route(): Promise<void> {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/login') {
    loginPage(root);
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
  const home = homeOf(user.role);
  if (path === '/replay') replayPage(root, user);
  else if (path === '/library' && ['teacher', 'coordinator', 'bureau', 'admin'].includes(user.role))
    libraryPage(root, user);
  else if (path === '/studio' && user.role === 'teacher') studioPage(root, user);
  else if (path === '/evaluate' && EVALUATORS.includes(user.role)) evaluatePage(root, user);
  else if (path === '/evaluations' && EVALUATORS.includes(user.role)) evaluationsPage(root, user);
  else if (path === '/research' && EVALUATORS.includes(user.role)) researchPage(root, user);
  else if (path === '/research/session' && EVALUATORS.includes(user.role)) researchSessionPage(root, user);
  else if (path === '/inspection' && ['admin', 'bureau', 'coordinator', 'inspector'].includes(user.role))
    inspectionPage(root, user);
  else if (path === '/classroom' && user.role === 'classroom') classroomPage(root, user);
  else if (path === '/manage' && home === '/manage') managePage(root, user);
  else if (home !== '/' && path !== home) location.replace(home);
  else homePage(root, user);
}

void route();
