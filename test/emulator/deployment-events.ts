// A deployment's events, as Marathon publishes them around the work of one step (spec §4.3):
// deployment_info, then deployment_step_success + deployment_success, or deployment_failed.
// Shared by apps (actions name `app`) and pods (actions name `pod`).

type Json = Record<string, unknown>;

export async function publishDeployment(
  publish: (eventType: string, payload: Json) => void,
  plan: { id: string; steps: Json[] },
  work: () => Promise<void>,
  onEnd: () => void = () => {},
): Promise<void> {
  const step = plan.steps[0]!;
  publish('deployment_info', { plan, currentStep: step });
  try {
    await work();
    publish('deployment_step_success', { plan, currentStep: step });
    publish('deployment_success', { id: plan.id, plan });
  } catch (err) {
    publish('deployment_failed', { id: plan.id, plan, reason: String(err) });
  } finally {
    onEnd();
  }
}
