import { defineErrors } from '../shared/errors.ts';

type Env = { environment: string };

export const ServingErrors = defineErrors('serving', {
  SERVING_ENVIRONMENT_NOT_FOUND: { kind: 'not_found', message: ({ environment }: Env) => `404 Environment ${environment} Not Found` },
  ENVIRONMENT_NOT_SERVING: { kind: 'unavailable', message: ({ environment, state }: Env & { state: string }) => `environment ${environment} is ${state}: deploy to it to serve again` },
  NOTHING_DEPLOYED: { kind: 'unavailable', message: ({ environment }: Env) => `nothing is deployed to environment ${environment} yet` },
  NO_READY_INSTANCE: {
    kind: 'unavailable',
    message: ({ environment, variants }: Env & { variants: string }) =>
      `environment ${environment} has no ready instance of ${variants}: its agent is starting it, failed to, or is not reporting (see the environment's health)`,
  },
  INVALID_REWARD: { kind: 'invalid', message: ({ value }: { value: number }) => `value ${value} is not a binary reward: this A/B test counts 0 or 1` },
});
