import { isLoopbackHost, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { Platform } from './Platform.ts';
import { stopOnSignals } from './stopOnSignals.ts';
import { SECOND_COUNTY_ACCOUNTS } from './seed/anxiang.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './seed/demo.ts';
import { RESEARCH_DEMO_ACCOUNTS } from './seed/research.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);

try {
  const platform = await Platform.start({ config, logger });
  const shownHost =
    ['0.0.0.0', '::'].includes(config.host) || isLoopbackHost(config.host) ? 'localhost' : config.host;
  const url = `http://${shownHost}:${platform.port}`;
  const lines = [
    '',
    `  同步课堂平台已启动 · Synchronized classroom platform running at ${url}`,
    `  Studio (teacher): ${url}/studio    Classroom kiosk: ${url}/classroom`,
  ];
  if (config.demoData) {
    lines.push(`  Demo accounts (password "${DEMO_PASSWORD}" for all; they sign in from this machine only):`);
    for (const a of DEMO_ACCOUNTS) lines.push(`    ${a.username.padEnd(12)} ${a.note} · ${a.realName}`);
    for (const a of RESEARCH_DEMO_ACCOUNTS)
      lines.push(`    ${a.username.padEnd(12)} village teacher, research alliance · ${a.realName}`);
    for (const a of SECOND_COUNTY_ACCOUNTS)
      lines.push(`    ${a.username.padEnd(14)} ${a.note} · ${a.realName}`);
  }
  if (platform.firstAdmin)
    lines.push(
      `  First start: admin account "${platform.firstAdmin.username}", one-time password ${platform.firstAdmin.password}`,
      '  (shown once; it sets its own password at first sign-in; more accounts: npm run admin -- create <username>)',
    );
  process.stdout.write(`${lines.join('\n')}\n\n`);
  stopOnSignals(logger, () => platform.close());
} catch (error) {
  logger.fatal({ err: error }, 'platform failed to start');
  process.exit(1);
}
