/**
 * A preValidation hook for POST routes whose body is optional: curl and most clients send such
 * a request without one, which the body schema would refuse, so no body reads as an empty one.
 */
export async function noBodyIsEmpty(request: { body: unknown }): Promise<void> {
  request.body ??= {};
}
