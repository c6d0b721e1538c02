package org.beyondsoftmax.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The request formats of TensorFlow Serving's REST API, and a clear 400 for each bad request. */
class PredictRequestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeEndpoint one = new FakeEndpoint("serving_default", List.of("ids"), -1);
  private final FakeEndpoint two = new FakeEndpoint("pairs", List.of("ids", "targets"), 2);
  private final Function<String, Endpoint> endpoints = name -> switch (name) {
    case "serving_default" -> one;
    case "pairs" -> two;
    default -> throw ApiException.badRequest("signature_name '" + name + "' does not exist");
  };

  private PredictRequest read(String body) throws Exception {
    return PredictRequest.read(JSON.readTree(body), endpoints, 4);
  }

  private String error(String body) {
    ApiException e = assertThrows(ApiException.class, () -> read(body), body);
    assertEquals(400, e.status(), e.getMessage());
    return e.getMessage();
  }

  private static long[] values(Instance i, String input) {
    return i.inputs().get(input).longs();
  }

  @Test
  void rowFormatWithBareOrNamedValues() throws Exception {
    PredictRequest r = read("{\"instances\": [[1, 2, 3], {\"ids\": [4]}]}");
    assertEquals(one, r.endpoint());
    assertEquals(2, r.instances().size());
    assertArrayEquals(new long[] {1, 2, 3}, values(r.instances().get(0), "ids"));
    assertArrayEquals(new long[] {4}, values(r.instances().get(1), "ids"));
    assertEquals(false, r.columnar());
    assertEquals(0, r.instances().get(0).topK());
  }

  @Test
  void columnarFormatAndSignatureName() throws Exception {
    PredictRequest r = read("{\"signature_name\": \"pairs\", \"inputs\": {\"ids\": [[1, 2], [3, 4]], "
        + "\"targets\": [[5, 6], [7, 8]]}}");
    assertEquals(two, r.endpoint());
    assertTrue(r.columnar());
    assertEquals(7L, values(r.instances().get(1), "targets")[0]);
    PredictRequest bare = read("{\"inputs\": [[1], [2], [3]], \"top_k\": 5}");
    assertEquals(3, bare.instances().size());
    assertEquals(5, bare.instances().get(2).topK());
  }

  @Test
  void answersInTheRequestsFormat() throws Exception {
    List<Map<String, JsonNode>> results = List.of(
        Map.of("sum", JSON.readTree("6"), "batch", JSON.readTree("2")),
        Map.of("sum", JSON.readTree("4"), "batch", JSON.readTree("2")));
    assertEquals(JSON.readTree("{\"predictions\": [{\"sum\": 6, \"batch\": 2}, {\"sum\": 4, \"batch\": 2}]}"),
        read("{\"instances\": [[1, 2, 3], [4]]}").answer(results));
    assertEquals(JSON.readTree("{\"outputs\": {\"sum\": [6, 4], \"batch\": [2, 2]}}"),
        read("{\"inputs\": [[1, 2, 3], [4]]}").answer(results));
  }

  @Test
  void badRequestsNameTheProblem() {
    assertTrue(error("[1, 2]").contains("JSON object"));
    assertTrue(error("{}").contains("missing \"instances\""));
    assertTrue(error("{\"instances\": [[1]], \"inputs\": [[1]]}").contains("not both"));
    assertTrue(error("{\"instances\": [[1]], \"topk\": 3}").contains("unknown key \"topk\""));
    assertTrue(error("{\"instances\": []}").contains("empty"));
    assertTrue(error("{\"instances\": [[1], [2], [3], [4], [5]]}").contains("too many instances: 5"));
    assertTrue(error("{\"instances\": {\"ids\": [1]}}").contains("must be a list"));
    assertTrue(error("{\"instances\": [[1, \"two\"]]}").contains("instances[0].ids: expected integers, got a string"));
    assertTrue(error("{\"instances\": [[1.5]]}").contains("expected integers"));
    assertTrue(error("{\"instances\": [[[1]]]}").contains("one more level"));
    assertTrue(error("{\"instances\": [3]}").contains("instances[0].ids: expected a list"));
    assertTrue(error("{\"instances\": [[]]}").contains("empty list"));
    assertTrue(error("{\"instances\": [[4294967296]]}").contains("does not fit a DT_INT32"));
    assertTrue(error("{\"instances\": [{\"idz\": [1]}]}").contains("names inputs [idz]"));
    assertTrue(error("{\"signature_name\": \"nope\", \"instances\": [[1]]}").contains("'nope' does not exist"));
    assertTrue(error("{\"signature_name\": 3, \"instances\": [[1]]}").contains("signature_name must be a string"));
    assertTrue(error("{\"instances\": [[1]], \"top_k\": 0}").contains("top_k must be an integer in [1, 5]"));
    assertTrue(error("{\"instances\": [[1]], \"top_k\": 6}").contains("top_k must be an integer in [1, 5]"));
    assertTrue(error("{\"instances\": [[1]], \"top_k\": \"3\"}").contains("top_k"));
  }

  @Test
  void badRequestsWithSeveralInputs() {
    String p = "{\"signature_name\": \"pairs\", ";
    assertTrue(error(p + "\"instances\": [[1, 2]]}").contains("must be an object with the inputs [ids, targets]"));
    assertTrue(error(p + "\"instances\": [{\"ids\": [1, 2]}]}").contains("lacks the input \"targets\""));
    assertTrue(error(p + "\"instances\": [{\"ids\": [1, 2], \"targets\": [1, 2], \"x\": 1}]}")
        .contains("unknown input \"x\""));
    assertTrue(error(p + "\"instances\": [{\"ids\": [1, 2, 3], \"targets\": [1, 2]}]}")
        .contains("instances[0].ids: axis 0 must have 2 entries, got 3"));
    assertTrue(error(p + "\"inputs\": {\"ids\": [[1, 2]], \"targets\": [[1, 2], [3, 4]]}}")
        .contains("different numbers of instances: 1 and 2"));
  }

  @Test
  void raggedTensorsAreRejected() {
    FakeEndpoint matrix = new FakeEndpoint("m", List.of("x"), -1, -1);
    ApiException e = assertThrows(ApiException.class, () -> PredictRequest.read(
        JSON.readTree("{\"instances\": [[[1, 2], [3]]]}"), n -> matrix, 4));
    assertTrue(e.getMessage().contains("not rectangular: lists of length 2 and 1"), e.getMessage());
  }
}
