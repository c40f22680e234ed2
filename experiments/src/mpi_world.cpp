#include "mpi_world.hpp"

#include <chrono>
#include <cstdlib>
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

void MpiWorld::abort(int code) const {
#ifdef NEUROTWIN_HAVE_MPI
  if (initialized_) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

}  // namespace neurotwin::cli
