import { BffConfigError, loadBffConfig } from './config.ts';
import { startBff } from './server.ts';

// `npm run bff`: the BFF alone, pointed at an identity provider and device API by the environment.
try {
  const config = loadBffConfig(process.env);
  const bff = await startBff(config);
  console.log(
    `BFF running at ${bff.url} (identity provider ${config.issuer}, device API ${config.apiUpstream})`,
  );
  const stop = async () => {
    await bff.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (error) {
  if (error instanceof BffConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
