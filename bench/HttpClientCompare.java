// The JDK HttpClient against Pekko HTTP's client, one request at a time to a local JDK HttpServer
// answering a chat.completion body, a 12 KB request each (a model call with some history).
// Prints p50/p99 latency and the process's CPU per request (server included), three rounds.
// Run from the repository root after a build:
//   java -cp "cluster-config/target/lib/*" bench/HttpClientCompare.java 3000
import java.lang.management.*;
import java.net.*;
import java.net.http.HttpClient;
import java.util.*;
import java.util.concurrent.*;
import com.sun.net.httpserver.*;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.*;
import org.apache.pekko.util.ByteString;

public class HttpClientCompare {
  public static void main(String[] a) throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    byte[] out = "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ANSWER: hello\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5}}".getBytes();
    server.createContext("/", ex -> { ex.getRequestBody().readAllBytes(); ex.getResponseHeaders().add("Content-Type", "application/json"); ex.sendResponseHeaders(200, out.length); ex.getResponseBody().write(out); ex.close(); });
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat/completions";
    byte[] body = new byte[12000]; Arrays.fill(body, (byte) 'a'); body[0]='"'; body[body.length-1]='"';
    int n = Integer.parseInt(a.length > 0 ? a[0] : "4000");
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    ActorSystem sys = ActorSystem.create("b");
    Http http = Http.get(sys);
    for (int round = 0; round < 3; round++) {
      for (String which : List.of("jdk", "pekko")) {
        long cpu0 = os.getProcessCpuTime(); long t0 = System.nanoTime(); long[] lat = new long[n];
        for (int i = 0; i < n; i++) {
          long s = System.nanoTime();
          if (which.equals("jdk")) {
            jdk.sendAsync(java.net.http.HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).get();
          } else {
            http.singleRequest(HttpRequest.POST(url).withEntity(ContentTypes.APPLICATION_JSON, body)).thenCompose(r -> r.entity().toStrict(5000, sys)).toCompletableFuture().get();
          }
          lat[i] = System.nanoTime() - s;
        }
        long wall = System.nanoTime() - t0; long cpu = os.getProcessCpuTime() - cpu0;
        Arrays.sort(lat);
        System.out.printf("%s round %d: p50 %.0f us p99 %.0f us, cpu/req %.0f us (incl. server)%n", which, round, lat[n/2]/1e3, lat[n*99/100]/1e3, cpu/1e3/n);
      }
    }
    sys.terminate(); server.stop(0); System.exit(0);
  }
}
