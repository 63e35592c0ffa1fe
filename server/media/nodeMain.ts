import { loadMediaNodeConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startMediaNode } from './node.ts';

// `npm run media-node`: one media node (see startMediaNode); settings from the environment.
const config = loadMediaNodeConfig();
const logger = createLogger(config.logLevel);
try {
  const node = await startMediaNode(config, logger);
  process.stdout.write(`\n  媒体节点已启动 · Media node ${node.nodeId} running on port ${node.port}\n\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    node.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  logger.fatal({ err: error }, 'media node failed to start');
  process.exit(1);
}
