/** Epoch milliseconds, the one time unit stored and served (as MLflow does). */
export const now = (): number => Date.now();
