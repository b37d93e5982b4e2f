// Runs the stock Node.js clients of the event feed (tests/e2e/clients: grpc-js, a browser's
// EventSource through puppeteer-core) against a Suite: the child process, the environment the
// scripts read (gateway addresses, tokens, proto paths) and the control lines with which a
// script asks the test to act on the suite while it watches (e.g. restart the gateway).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "suite.h"

namespace integration::e2e {

// The folder of the client scripts and their package-lock.json (node_modules installed there by
// scripts/deps.sh).
std::string EventClientsDir();

struct NodeRun {
  int exit_code = -1;  // -1: killed (timeout) or not started
  std::string output;  // everything it printed, stdout and stderr interleaved
};

// Runs `node <EventClientsDir()>/<script>` with `env` added to this process's environment.
// Every line the script prints goes to `output` (and to this test's stdout as it comes); a line
// "control: <request>" is answered on the script's stdin with the line on_control(request)
// returns. The script is killed after `timeout`, and with this process should that die first.
NodeRun RunNode(const std::string& script, const std::map<std::string, std::string>& env,
                const std::function<std::string(std::string_view)>& on_control,
                absl::Duration timeout);

// What every client script reads: GATEWAY_GRPC (host:port), GATEWAY_HTTP (http://host:port),
// PROTO_DIRS (the repository's proto/, the googleapis protos and protobuf's own, colon
// separated), TOKENS (a JSON object of raw bearer tokens: admin03, officer03, kommun0380,
// admin12, officer12, kommun1280, a county admin, officer and applicant kommun in Uppsala län and
// in Skåne län) and EXPIRED_CURSOR (a well-formed cursor older than the retention).
std::map<std::string, std::string> EventClientEnvironment(Suite& suite);

}  // namespace integration::e2e
