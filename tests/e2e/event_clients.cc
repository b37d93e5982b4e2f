// The Node.js event feed clients as child processes of a test, with their environment and the
// line protocol by which they ask the test to act on the suite.
#include "event_clients.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "event_cursor.h"

extern char** environ;

namespace integration::e2e {
namespace {

constexpr std::string_view kControlPrefix = "control: ";

void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the script is gone; its exit code tells
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// The raw token of a Suite::Bearer answer ("Bearer <token>").
std::string Raw(const std::string& bearer) {
  return std::string(absl::StripPrefix(bearer, "Bearer "));
}

}  // namespace

std::string EventClientsDir() { return INTEGRATION_EVENT_CLIENTS_DIR; }

NodeRun RunNode(const std::string& script, const std::map<std::string, std::string>& env,
                const std::function<std::string(std::string_view)>& on_control,
                absl::Duration timeout) {
  NodeRun run;
  // Everything the child needs is built before fork: the parent has threads (gRPC, the
  // services), so the child must not allocate.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    if (!env.contains(std::string(name))) env_strings.emplace_back(entry);
  }
  for (const auto& [name, value] : env) env_strings.push_back(absl::StrCat(name, "=", value));
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string node = "node";
  std::string path = absl::StrCat(EventClientsDir(), "/", script);
  std::array<char*, 3> argv = {node.data(), path.data(), nullptr};
  const std::string dir = EventClientsDir();

  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
    run.output = "pipe() failed";
    return run;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(to_child[0], 0);
    ::dup2(from_child[1], 1);
    ::dup2(from_child[1], 2);
    // Nothing else of this process's: a listening socket the child held would keep its port
    // taken after the gateway closed it (and a restart on the same port would fail).
    ::close_range(3, ~0U, 0);
    if (::chdir(dir.c_str()) != 0) std::_Exit(126);
    ::execvpe(argv[0], argv.data(), envp.data());
    std::_Exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (pid < 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    run.output = "fork() failed";
    return run;
  }

  const absl::Time deadline = absl::Now() + timeout;
  std::string pending;
  bool timed_out = false;
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      timed_out = true;
      break;
    }
    pollfd p{.fd = from_child[0], .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline check above ends the wait
    std::array<char, 4096> buf;
    const ssize_t n = ::read(from_child[0], buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of output: the script exited
    pending.append(buf.data(), static_cast<size_t>(n));
    for (size_t end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      const std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      run.output += line + "\n";
      std::cout << "[" << script << "] " << line << std::endl;
      if (line.starts_with(kControlPrefix)) {
        const std::string reply = on_control(std::string_view(line).substr(kControlPrefix.size()));
        std::cout << "[" << script << "] <- " << reply << std::endl;
        WriteAll(to_child[1], reply + "\n");
      }
    }
  }
  run.output += pending;
  ::close(to_child[1]);
  ::close(from_child[0]);
  if (timed_out) {
    ::kill(pid, SIGKILL);
    run.output += absl::StrCat("\n(killed after ", absl::FormatDuration(timeout), ")\n");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!timed_out && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

std::map<std::string, std::string> EventClientEnvironment(Suite& suite) {
  auto county = [&](const std::string& role, const std::string& lan) {
    return Raw(suite.Bearer(role, absl::StrCat(role, "-", lan), lan));
  };
  auto kommun = [&](const std::string& code) {
    integration::testing::Claims claims;
    claims.kommun = code;
    return Raw(suite.Bearer("municipality_officer", "kommun-" + code, claims));
  };
  const nlohmann::json tokens = {
      {"admin03", county("county_admin", kLan)},
      {"officer03", county("county_officer", kLan)},
      {"kommun0380", kommun(kKommun)},
      {"admin12", county("county_admin", kOtherLan)},
      {"officer12", county("county_officer", kOtherLan)},
      {"kommun1280", kommun("1280")},  // Malmö, in Skåne län (12)
  };
  // Eight days ago, one day past the default retention of seven.
  gateway::EventCursor expired;
  expired.time = absl::Now() - absl::Hours(24 * 8);
  return {
      {"GATEWAY_GRPC", suite.gateway().grpc_target()},
      {"GATEWAY_HTTP", absl::StrCat("http://127.0.0.1:", suite.gateway().http_port())},
      {"PROTO_DIRS", INTEGRATION_PROTO_DIRS},
      {"TOKENS", tokens.dump()},
      {"EXPIRED_CURSOR", gateway::EncodeCursor(expired)},
  };
}

}  // namespace integration::e2e
