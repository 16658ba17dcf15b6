package hako.plan;

/** A spec that is valid JSON and valid OCI, but that hako cannot build: names the JSON path. */
public final class PlanException extends hako.HakoException {
    public PlanException(String jsonPath, String reason) {
        super("config.json: " + jsonPath + ": " + reason);
    }
}
