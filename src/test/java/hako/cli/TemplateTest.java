package hako.cli;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TemplateTest {
    private static Map<String, Object> container() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("status", "exited");
        state.put("exitCode", 3);
        state.put("pid", 0);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", "web");
        json.put("command", List.of("sh", "-c", "true"));
        json.put("state", state);
        json.put("labels", Map.of("a", "b"));
        json.put("gone", null);
        return json;
    }

    @Test
    void fieldsInDockersCaseOrHakosAndJson() {
        assertEquals("web exited 3", Template.render("{{.Name}} {{.State.Status}} {{ .state.exitCode }}", container()));
        assertEquals("[sh -c true]", Template.render("{{.Command}}", container()), "lists as Go prints them");
        assertEquals("[\"sh\",\"-c\",\"true\"]", Template.render("{{json .Command}}", container()));
        assertEquals("{\"a\":\"b\"}", Template.render("{{json .Labels}}", container()));
        assertEquals("<no value>", Template.render("{{.Gone}}", container()));
        assertEquals("plain text", Template.render("plain text", container()));
    }

    @Test
    void whatItCannotReadIsAClearError() {
        assertEquals("--format: no field Nope in .Nope",
                assertThrows(UsageException.class, () -> Template.render("{{.Nope}}", container())).getMessage());
        assertEquals("--format: no field Deeper in .Name.Deeper",
                assertThrows(UsageException.class, () -> Template.render("{{.Name.Deeper}}", container())).getMessage());
        assertEquals("--format: only {{.Field}} and {{json .Field}} are understood",
                assertThrows(UsageException.class, () -> Template.render("{{range .Command}}", container())).getMessage());
    }
}
