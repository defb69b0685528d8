package io.agentruntime.http.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.junit.jupiter.api.Test;

/** {@code /v1/sessions/{id}/memory[/{key}]} over a stub. */
class MemoryRoutesTest extends RouteTesting {

  @Test
  void aKeyIsReadFromTheSessionAndAMissingOneIs404() {
    sessions.view = StubSessions.view("s1", Map.of("color", TextNode.valueOf("blue")));

    api()
        .run(keyed(HttpRequest.GET("/v1/sessions/s1/memory/color")))
        .assertStatusCode(StatusCodes.OK)
        .assertEntity("\"blue\"");
    api()
        .run(keyed(HttpRequest.GET("/v1/sessions/s1/memory")))
        .assertStatusCode(StatusCodes.OK)
        .assertEntity("{\"color\":\"blue\"}");
    String missing =
        api()
            .run(keyed(HttpRequest.GET("/v1/sessions/s1/memory/size")))
            .assertStatusCode(StatusCodes.NOT_FOUND)
            .entityString();

    assertEquals(true, missing.contains("\"memory_key_not_found\""), missing);
  }

  @Test
  void aWriteAndADeleteNameTheKeyAndAnswerOnlyWhatChanged() {
    api()
        .run(
            keyed(
                HttpRequest.PUT("/v1/sessions/s1/memory/color")
                    .withEntity(ContentTypes.APPLICATION_JSON, "\"green\"")))
        .assertStatusCode(StatusCodes.OK)
        .assertEntity("{\"key\":\"color\",\"value\":\"green\",\"lastSeq\":3}");
    assertEquals(
        List.of("writeMemory", "dev", "s1", DEV, "color", TextNode.valueOf("green")),
        sessions.last());

    api()
        .run(keyed(HttpRequest.DELETE("/v1/sessions/s1/memory/color")))
        .assertStatusCode(StatusCodes.OK)
        .assertEntity("{\"key\":\"color\",\"lastSeq\":3}");
    assertEquals(List.of("deleteMemory", "dev", "s1", DEV, "color"), sessions.last());
  }

  @Test
  void oneKeyIsReadAloneNotWithTheWholeSession() {
    sessions.view = StubSessions.view("s1", Map.of("color", TextNode.valueOf("blue")));

    api().run(keyed(HttpRequest.GET("/v1/sessions/s1/memory/color"))).assertEntity("\"blue\"");

    assertEquals(List.of(List.of("memoryValue", "dev", "s1", DEV, "color")), sessions.calls);
  }
}
