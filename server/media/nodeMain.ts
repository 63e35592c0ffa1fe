import { loadMediaNodeConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { stopOnSignals } from '../stopOnSignals.ts';
import { startMediaNode } from './node.ts';

// `npm run media-node`: one media node (see startMediaNode); settings from the environment.
const config = loadMediaNodeConfig();
const logger = createLogger(config.logLevel);
try {
  const node = await startMediaNode(config, logger);
  process.stdout.write(`\n  媒体节点已启动 · Media node ${node.nodeId} running on port ${node.port}\n\n`);
  stopOnSignals(logger, () => node.close());
} catch (error) {
  logger.fatal({ err: error }, 'media node failed to start');
  process.exit(1);
}
