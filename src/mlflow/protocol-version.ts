/**
 * The MLflow release whose protocol Modelyard speaks, answered at `/version` as MLflow answers
 * its own version: the client reads it to decide which calls a server supports. It is the
 * client release the compatibility suite pins (test/compat/requirements.txt).
 */
export const MLFLOW_PROTOCOL_VERSION = '3.17.2';
