#pragma once
#include <string>

#include "neurotwin/surrogate/process_group.hpp"

namespace neurotwin::cli {

// The MPI world of this process. MPI is initialized only when the process
// was started by an MPI launcher (mpirun/mpiexec/srun set their rank
// variables); otherwise this is a world of one, and no MPI call is made.
// Owns MPI_Init/MPI_Finalize (RAII); one per process.
class MpiWorld {
 public:
  MpiWorld();
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Processes of this world on this machine (for the default thread count).
  int local_size() const { return local_size_; }
  bool active() const { return size_ > 1; }
  // True on every rank iff `failed` is true on any (a collective call).
  bool any(bool failed) const;
  // Aborts every rank (after an error on one that others would wait for).
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0, size_ = 1, local_size_ = 1;
  bool initialized_ = false;
};

// Data-parallel training over the MPI world (MPI_Allreduce, MPI_SUM); a
// world of one makes no MPI call.
class MpiProcessGroup final : public ProcessGroup {
 public:
  explicit MpiProcessGroup(const MpiWorld& world) : world_(world) {}
  int rank() const override { return world_.rank(); }
  int size() const override { return world_.size(); }
  void allreduce_sum(torch::Tensor& t) override;

 private:
  const MpiWorld& world_;
};

// True if the environment says an MPI launcher started this process.
bool launched_by_mpi();

}  // namespace neurotwin::cli
