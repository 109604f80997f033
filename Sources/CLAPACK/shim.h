// Fortran BLAS/LAPACK entry points as gfortran exports them (LP64: 32-bit
// integers). Each CHARACTER argument carries a hidden trailing length
// argument; declaring it works with both netlib and OpenBLAS.
#ifndef BAROMETER_CLAPACK_SHIM_H
#define BAROMETER_CLAPACK_SHIM_H
#include <stddef.h>

typedef int blas_int;

// BLAS level 1-3
double ddot_(const blas_int *n, const double *x, const blas_int *incx, const double *y, const blas_int *incy);
void dsyrk_(const char *uplo, const char *trans, const blas_int *n, const blas_int *k,
            const double *alpha, const double *a, const blas_int *lda,
            const double *beta, double *c, const blas_int *ldc, size_t uplo_len, size_t trans_len);
void dgemm_(const char *transa, const char *transb, const blas_int *m, const blas_int *n, const blas_int *k,
            const double *alpha, const double *a, const blas_int *lda, const double *b, const blas_int *ldb,
            const double *beta, double *c, const blas_int *ldc, size_t transa_len, size_t transb_len);
void dgemv_(const char *trans, const blas_int *m, const blas_int *n, const double *alpha,
            const double *a, const blas_int *lda, const double *x, const blas_int *incx,
            const double *beta, double *y, const blas_int *incy, size_t trans_len);

// LAPACK
void dpotrf_(const char *uplo, const blas_int *n, double *a, const blas_int *lda, blas_int *info, size_t uplo_len);
void dpotri_(const char *uplo, const blas_int *n, double *a, const blas_int *lda, blas_int *info, size_t uplo_len);
void dpotrs_(const char *uplo, const blas_int *n, const blas_int *nrhs, const double *a, const blas_int *lda,
             double *b, const blas_int *ldb, blas_int *info, size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const blas_int *n, double *a, const blas_int *lda, double *w,
             double *work, const blas_int *lwork, blas_int *iwork, const blas_int *liwork, blas_int *info,
             size_t jobz_len, size_t uplo_len);
void dgesdd_(const char *jobz, const blas_int *m, const blas_int *n, double *a, const blas_int *lda, double *s,
             double *u, const blas_int *ldu, double *vt, const blas_int *ldvt, double *work, const blas_int *lwork,
             blas_int *iwork, blas_int *info, size_t jobz_len);
void dpocon_(const char *uplo, const blas_int *n, const double *a, const blas_int *lda, const double *anorm,
             double *rcond, double *work, blas_int *iwork, blas_int *info, size_t uplo_len);
void dgeqrf_(const blas_int *m, const blas_int *n, double *a, const blas_int *lda, double *tau,
             double *work, const blas_int *lwork, blas_int *info);
void dormqr_(const char *side, const char *trans, const blas_int *m, const blas_int *n, const blas_int *k,
             const double *a, const blas_int *lda, const double *tau, double *c, const blas_int *ldc,
             double *work, const blas_int *lwork, blas_int *info, size_t side_len, size_t trans_len);
void dtrtrs_(const char *uplo, const char *trans, const char *diag, const blas_int *n, const blas_int *nrhs,
             const double *a, const blas_int *lda, double *b, const blas_int *ldb, blas_int *info,
             size_t uplo_len, size_t trans_len, size_t diag_len);

#endif
