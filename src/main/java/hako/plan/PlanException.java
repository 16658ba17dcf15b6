package hako.plan;

/** A spec that is valid JSON and valid OCI, but that hako cannot build: names the JSON path. */
public final class PlanException extends RuntimeException {
    public PlanException(String jsonPath, String reason) {
        super("config.json: " + jsonPath + ": " + reason);
    }
}
