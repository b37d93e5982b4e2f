// PlacementService matching RPC: a county officer asks for proposals for the county's waiting
// children; the answer is advice and changes nothing.
#include <map>
#include <string>
#include <utility>

#include "access.h"
#include "integration/auth/tenancy.h"
#include "matching_repository.h"
#include "placement_service.h"
#include "rules/matching.h"
#include "rules/names.h"

namespace integration::placement {

absl::Status PlacementServiceImpl::DoProposeMatches(const grpc::CallContext& call,
                                                    const v1::ProposeMatchesRequest& req,
                                                    v1::MatchProposal* resp) {
  absl::StatusOr<std::string> lanskod = ParseCountyName(req.parent(), "parent");
  if (!lanskod.ok()) return lanskod.status();
  if (absl::Status st = access::CheckCountyOfficer(auth::Scope::Of(call.caller()), *lanskod);
      !st.ok()) {
    return st;
  }
  std::vector<MatchChild> children;
  std::vector<MatchUnit> units;
  // One snapshot of children and places; the solving runs outside the transaction.
  absl::Status read = deps_.pool.Transact(
      call.deadline(),
      [&](pqxx::work& tx) -> absl::Status {
        MatchingRepository repo(tx);
        absl::StatusOr<std::vector<MatchChild>> waiting = repo.WaitingChildren(*lanskod, Today());
        if (!waiting.ok()) return waiting.status();
        absl::StatusOr<std::vector<MatchUnit>> free = repo.FreeUnits(*lanskod);
        if (!free.ok()) return free.status();
        children = *std::move(waiting);
        units = *std::move(free);
        return absl::OkStatus();
      },
      pg::Isolation::kRepeatableRead);
  if (!read.ok()) return read;
  const MatchResult optimal = MatchOptimal(children, units);
  const MatchResult greedy = MatchGreedy(children, units);
  std::map<int64_t, std::string> unit_names;
  for (const MatchUnit& u : units) unit_names[u.id] = UnitName(u.kommunkod, u.id);
  resp->Clear();
  for (const Match& m : optimal.matches) {
    v1::ProposedPlacement* p = resp->add_proposals();
    p->set_child(ChildName(m.child_id));
    p->set_unit(unit_names[m.unit_id]);
    p->set_cost(m.cost);
  }
  for (int64_t id : optimal.unplaced) resp->add_unplaced_children(ChildName(id));
  resp->set_objective(optimal.objective);
  resp->set_greedy_objective(greedy.objective);
  return absl::OkStatus();
}

}  // namespace integration::placement
