import { connectors } from '../../connectors/index.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

/** The problems start-up reports for `env`, each as the user reads it; none when the configuration is accepted. */
export function configProblems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env, connectors);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
