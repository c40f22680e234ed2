#include "mpi_world.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <string>

#ifdef NEUROTWIN_HAVE_MPI
#include <mpi.h>
#endif

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin::cli {

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    return fallback;
  }
}

}  // namespace

bool launched_by_mpi() {
  // OpenMPI, then PMI/PMIx (MPICH, Slurm's srun --mpi=pmix).
  return env_int("OMPI_COMM_WORLD_SIZE", 0) > 0 || env_int("PMI_SIZE", 0) > 0 || std::getenv("PMIX_RANK") != nullptr;
}

MpiWorld::MpiWorld() {
  if (!launched_by_mpi()) return;
#ifdef NEUROTWIN_HAVE_MPI
  int provided = 0;
  // Only the main thread calls MPI; worker threads simulate.
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  initialized_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
  MPI_Comm_size(local, &local_size_);
  MPI_Comm_free(&local);
#else
  if (env_int("OMPI_COMM_WORLD_SIZE", env_int("PMI_SIZE", 1)) > 1)
    throw InputError("started by an MPI launcher, but this neurotwin was built without MPI "
                     "(-DNEUROTWIN_WITH_MPI=OFF); use --shard i/N instead");
#endif
}

MpiWorld::~MpiWorld() {
#ifdef NEUROTWIN_HAVE_MPI
  if (initialized_) MPI_Finalize();
#endif
}

bool MpiWorld::any(bool failed) const {
#ifdef NEUROTWIN_HAVE_MPI
  if (initialized_) {
    // Non-blocking, polled with sleeps: a rank that finished early must not
    // spin a core (as a blocking MPI_Allreduce does) while others still work.
    int mine = failed ? 1 : 0, all = 0, done = 0;
    MPI_Request request;
    MPI_Iallreduce(&mine, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &request);
    while (MPI_Test(&request, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return all != 0;
  }
#endif
  return failed;
}

void MpiProcessGroup::allreduce_sum(torch::Tensor& t) {
  if (world_.size() == 1) return;
  if (!t.is_contiguous() || !t.device().is_cpu() || (t.scalar_type() != torch::kFloat32 && t.scalar_type() != torch::kFloat64))
    throw std::invalid_argument("allreduce_sum: a contiguous CPU float32 or float64 tensor is required");
#ifdef NEUROTWIN_HAVE_MPI
  const MPI_Datatype type = t.scalar_type() == torch::kFloat32 ? MPI_FLOAT : MPI_DOUBLE;
  // Counts above INT_MAX go in pieces.
  const std::int64_t chunk = 1 << 30;
  char* data = static_cast<char*>(t.data_ptr());
  const std::int64_t element = static_cast<std::int64_t>(t.element_size());
  for (std::int64_t offset = 0; offset < t.numel(); offset += chunk) {
    const auto count = static_cast<int>(std::min(chunk, t.numel() - offset));
    MPI_Allreduce(MPI_IN_PLACE, data + offset * element, count, type, MPI_SUM, MPI_COMM_WORLD);
  }
#endif
}

void MpiWorld::abort(int code) const {
#ifdef NEUROTWIN_HAVE_MPI
  if (initialized_) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

}  // namespace neurotwin::cli
