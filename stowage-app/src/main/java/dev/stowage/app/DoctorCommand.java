package dev.stowage.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.app.config.CommandOptions;
import dev.stowage.app.doctor.Check;
import dev.stowage.app.doctor.Doctor;
import dev.stowage.app.doctor.Report;
import dev.stowage.app.doctor.Suggestion;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code stowage doctor [BACKEND-URI]}: probes a backend, prints what works, one line a check, and
 * suggests the preset and settings that fit. Exit code 0 when every check that matters passed, 1
 * when one failed, 2 for a URI or configuration that is wrong.
 */
@Command(name = "doctor", description = {"Probes a backend and says what works, and the settings that fit.",
        "Checks the URI, the credentials and the bucket, the clock, an upload, an upload in parts, a listing, the"
                + " public URL and deletes; then suggests the preset and settings that fit.",
        "It writes only under a fresh prefix, .stowage-doctor-<random>/, and removes what it wrote."},
        exitCodeList = {"0:every check passed (the public URL and the clock may only warn)", "1:a check failed",
                "2:the URI or the configuration is wrong"})
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    Stowage top;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKEND-URI",
            description = "The backend (default: backend in the configuration), such as s3://bucket/site?preset=r2")
    String backend;

    @Option(names = "--backend", paramLabel = "URI", description = "The backend, given as the other commands take it; the same as BACKEND-URI.")
    String backendOption;

    @Option(names = "--json", description = "Prints the report as one JSON document instead of a line a check.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (backend != null && backendOption != null && !backend.equals(backendOption)) {
            throw new IllegalArgumentException("give the backend once: as BACKEND-URI or with --backend");
        }
        Optional<String> given = Optional.ofNullable(backend != null ? backend : backendOption);
        // The configuration is read only when no URI is given: a broken file must not stop probing the URI.
        String uri = given.isPresent() ? given.get() : Backends.uri(Optional.empty(), top.config(CommandOptions.none()));
        PrintWriter out = spec.commandLine().getOut();
        Report report = new Doctor().run(uri, Backends::open, check -> {
            if (!json) {
                out.println(check.line());
                out.flush();
            }
        });
        if (json) {
            Json.print(out, toJson(report));
        } else if (report.checks().size() > 1) {
            out.println();
            out.println("summary: " + report.summary());
            out.println("suggested: " + suggestion(report));
            report.suggested().uri().ifPresent(u -> out.println("  as in: " + u));
        }
        switch (report.verdict()) {
            case PASSED:
                return ExitCode.OK;
            case FAILED:
                return ExitCode.FAILED;
            default:
                return ExitCode.USAGE;
        }
    }

    private static String suggestion(Report report) {
        Suggestion s = report.suggested();
        boolean failed = report.verdict() != Report.Verdict.PASSED;
        if (s.preset().isEmpty() || !s.changesSomething()) {
            // Settings that were never tried whole (a check failed) cannot be said to fit.
            return failed ? "fix what failed above first; no other setting to change" : s.preset().isEmpty()
                    ? "nothing to change" : "the settings in use fit (preset " + s.preset().get() + ")";
        }
        return s.fragment();
    }

    static ObjectNode toJson(Report report) {
        ObjectNode doc = Json.object();
        doc.put("backend", report.backend().orElse(null));
        ArrayNode checks = doc.putArray("checks");
        for (Check c : report.checks()) {
            checks.addObject().put("name", c.name()).put("status", c.status().jsonName()).put("detail", c.detail())
                    .put("advice", c.advice().orElse(null));
        }
        ObjectNode suggested = doc.putObject("suggested");
        suggested.put("preset", report.suggested().preset().orElse(null));
        ObjectNode settings = suggested.putObject("settings");
        if (report.suggested().changesPreset()) {
            settings.put("preset", report.suggested().preset().orElseThrow());
        }
        report.suggested().settings().forEach(settings::put);
        suggested.put("uri", report.suggested().uri().orElse(null));
        doc.put("verdict", report.verdict().name().toLowerCase(java.util.Locale.ROOT));
        return doc;
    }
}
