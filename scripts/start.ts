import { BffConfigError, loadBffConfig } from '../bff/config.ts';
import { startBff } from '../bff/server.ts';
import { ConfigError, loadPlatformConfig } from '../platform/config.ts';
import { startPlatform } from '../platform/server.ts';

// `npm start`: the local IoT platform and the BFF (serving the built SPA) in one process.
try {
  const platformConfig = loadPlatformConfig(process.env);
  const platform = await startPlatform(platformConfig);
  const bffConfig = loadBffConfig({
    OIDC_ISSUER: platform.issuer,
    API_UPSTREAM: platform.apiUrl,
    OIDC_CLIENT_SECRET: platformConfig.bffClient.secret,
    OIDC_CLIENT_ID: platformConfig.bffClient.id,
    // Automation jobs run on the platform's service account (client credentials).
    AUTOMATION_CLIENT_ID: platformConfig.automationClient.id,
    AUTOMATION_CLIENT_SECRET: platformConfig.automationClient.secret,
    // The local platform's refresh-token absolute lifetime is known: the SPA can show when the session ends.
    SESSION_ABSOLUTE_LIFETIME: String(platformConfig.refreshTokenAbsoluteTtl),
    ...process.env,
  });
  const bff = await startBff(bffConfig);
  console.log(`IoT Fleet Monitor is running
  app                   ${bff.url}   <- open this, sign in as operator / operator or viewer / viewer
  authorization server  ${platform.issuer}
  device API            ${platform.apiUrl}
  data folder           ${platformConfig.dataDir} (keys and sessions survive a restart)
  jobs database         ${bffConfig.jobs?.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded, ${bffConfig.dataDir}/jobs`}`);
  const stop = async (signal: string) => {
    console.log(`${signal}: stopping`);
    await bff.close();
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError || error instanceof BffConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
