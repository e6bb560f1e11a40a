import { ConfigError, loadPlatformConfig } from './config.ts';
import { startPlatform } from './server.ts';

// `npm run platform`: the local IoT platform on its own (authorization server + device API).
try {
  const config = loadPlatformConfig(process.env);
  const platform = await startPlatform(config);
  console.log(`IoT platform (local stand-in) is running
  authorization server  ${platform.issuer}   (discovery: ${platform.issuer}/.well-known/openid-configuration)
  device API            ${platform.apiUrl}   (development endpoints: ${platform.apiOrigin}/dev/*)
  profile               ${config.authProfile}
  demo accounts         operator / operator, viewer / viewer
  lifetimes             access ${config.accessTokenTtl}s, refresh idle ${config.refreshTokenIdleTtl}s, refresh absolute ${config.refreshTokenAbsoluteTtl}s, SSO ${config.sessionTtl}s`);
  const stop = async (signal: string) => {
    console.log(`${signal}: stopping the platform (state saved in ${config.dataDir}/platform)`);
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
