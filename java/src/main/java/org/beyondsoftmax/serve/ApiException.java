package org.beyondsoftmax.serve;

/**
 * A request the server answers with an error status and {@code {"error": message}}, as
 * TensorFlow Serving does: 400 for a bad request (the message names the problem), 404 for an
 * unknown model or signature, 413 for a body over the limit, 429 when the queue is full, 503
 * while no model is loaded or the server is shutting down.
 */
public final class ApiException extends RuntimeException {
  private final int status;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }
}
