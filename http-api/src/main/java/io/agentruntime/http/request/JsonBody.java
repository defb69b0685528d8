package io.agentruntime.http.request;

import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequestEntity;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.withSizeLimit;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Json;
import io.agentruntime.runtime.Continuations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;

/**
 * Reads a request body as a JSON tree, without blocking: 415 unless it is JSON, 413 above the size
 * limit, 400 {@code malformed_json} when it does not parse. Routes map the tree to edge records
 * field by field.
 */
public final class JsonBody {

  private final long maxBytes;
  private final Duration readTimeout;

  public JsonBody(long maxBytes, Duration readTimeout) {
    this.maxBytes = maxBytes;
    this.readTimeout = readTimeout;
  }

  /** A required JSON body (any JSON value). */
  public Route json(Function<JsonNode, Route> inner) {
    return optionalJson(
        body ->
            inner.apply(
                body.orElseThrow(() -> ApiError.malformedJson("a JSON request body is required"))));
  }

  /** A JSON body, or empty when the request has none. */
  public Route optionalJson(Function<Optional<JsonNode>, Route> inner) {
    return withSizeLimit(
        maxBytes,
        () ->
            extractRequestEntity(
                entity -> {
                  if (entity.isKnownEmpty()) {
                    return inner.apply(Optional.empty());
                  }
                  if (!isJson(entity.getContentType())) {
                    throw ApiError.unsupportedMediaType();
                  }
                  if (entity.getContentLengthOption().orElse(0L) > maxBytes) {
                    throw ApiError.bodyTooLarge(maxBytes);
                  }
                  if (entity instanceof HttpEntity.Strict strict) {
                    // The whole body came with the headers: parsed here, without a stream or a hop.
                    return inner.apply(Optional.of(parse(strict.getData().toArray())));
                  }
                  return extractMaterializer(
                      mat -> onSuccess(read(entity, mat), tree -> inner.apply(Optional.of(tree))));
                }));
  }

  private CompletionStage<JsonNode> read(HttpEntity entity, Materializer mat) {
    return Continuations.on(
            mat.executionContext(), entity.toStrict(readTimeout.toMillis(), maxBytes, mat))
        .handle(
            (strict, failure) -> {
              if (failure != null) {
                throw new CompletionException(readFailure(failure));
              }
              return parse(strict.getData().toArray());
            });
  }

  private Throwable readFailure(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof EntityStreamSizeException) {
      return ApiError.bodyTooLarge(maxBytes);
    }
    if (cause instanceof TimeoutException) {
      // Not the store's fault: the client sent its body too slowly.
      return new ApiError(
          StatusCodes.REQUEST_TIMEOUT, "request_timeout", "the request body arrived too slowly");
    }
    return cause;
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      // Decoded strictly first: the parser would take overlong sequences and guess UTF-16.
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      JsonNode tree = Json.MAPPER.readTree(text);
      if (tree == null || tree.isMissingNode()) {
        throw ApiError.malformedJson("a JSON request body is required");
      }
      UnpairedSurrogates.find(tree)
          .ifPresent(
              field -> {
                throw ApiError.invalidField(
                    field + " must be Unicode text: it holds an unpaired surrogate escape");
              });
      return tree;
    } catch (CharacterCodingException e) {
      throw ApiError.malformedJson("the request body is not valid UTF-8");
    } catch (StreamConstraintsException e) {
      throw ApiError.malformedJson(
          "the request body nests deeper than " + Json.MAX_REQUEST_DEPTH + " levels");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw ApiError.malformedJson("the request body is not valid JSON" + where);
    } catch (IOException e) {
      throw ApiError.malformedJson("the request body is not valid JSON");
    }
  }

  private static boolean isJson(ContentType contentType) {
    var media = contentType.mediaType();
    return "application".equals(media.mainType())
        && ("json".equals(media.subType()) || media.subType().endsWith("+json"));
  }
}
