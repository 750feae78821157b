import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin, theme } from 'antd';
import antdEnUS from 'antd/locale/en_US';
import antdZhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { configureApi } from '@/api/client';
import { isApiError } from '@/api/errors';
import LoginPage from '@/features/auth/LoginPage';
import { RequireAuth } from '@/features/auth/RequireAuth';
import { meKey } from '@/features/auth/hooks';
import WorkbenchPage from '@/features/workbench/WorkbenchPage';
import { I18nProvider, useI18n } from '@/i18n';
import { AppShell } from './AppShell';
import { NotFoundPage } from './NotFoundPage';

const OrgPage = lazy(() => import('@/features/org/OrgPage'));
const UsersPage = lazy(() => import('@/features/user/UsersPage'));
const UserDetailPage = lazy(() => import('@/features/user/UserDetailPage'));
const AuditLogPage = lazy(() => import('@/features/audit/AuditLogPage'));
const KanbanPage = lazy(() => import('@/features/opportunity/KanbanPage'));
const OpportunityListPage = lazy(() => import('@/features/opportunity/OpportunityListPage'));
const OpportunityDetailPage = lazy(() => import('@/features/opportunity/OpportunityDetailPage'));
const ProcessTemplatesPage = lazy(() => import('@/features/process/ProcessTemplatesPage'));
const ProcessTemplatePage = lazy(() => import('@/features/process/ProcessTemplatePage'));
const PoolRulesPage = lazy(() => import('@/features/poolrule/PoolRulesPage'));
const AccountsPage = lazy(() => import('@/features/account/AccountsPage'));
const AccountDetailPage = lazy(() => import('@/features/account/AccountDetailPage'));
const PoolPage = lazy(() => import('@/features/pool/PoolPage'));
const LeadsPage = lazy(() => import('@/features/lead/LeadsPage'));
const LeadDetailPage = lazy(() => import('@/features/lead/LeadDetailPage'));
const ConflictsPage = lazy(() => import('@/features/conflict/ConflictsPage'));
const QuotesPage = lazy(() => import('@/features/ltc/quote/QuotesPage'));
const QuoteDetailPage = lazy(() => import('@/features/ltc/quote/QuoteDetailPage'));
const ContractsPage = lazy(() => import('@/features/ltc/contract/ContractsPage'));
const ContractDetailPage = lazy(() => import('@/features/ltc/contract/ContractDetailPage'));
const ReceivablesPage = lazy(() => import('@/features/ltc/receivable/ReceivablesPage'));
const ProductsPage = lazy(() => import('@/features/ltc/product/ProductsPage'));
const PriceBooksPage = lazy(() => import('@/features/ltc/product/PriceBooksPage'));
const FxRatesPage = lazy(() => import('@/features/ltc/fx/FxRatesPage'));
const ApprovalsPage = lazy(() => import('@/features/approval/ApprovalsPage'));
const ApprovalDetailPage = lazy(() => import('@/features/approval/ApprovalDetailPage'));
const PoliciesPage = lazy(() => import('@/features/approval/PoliciesPage'));
const PolicyEditorPage = lazy(() => import('@/features/approval/PolicyEditorPage'));
const AuthorityMatrixPage = lazy(() => import('@/features/approval/AuthorityMatrixPage'));
const AnalyticsDashboardPage = lazy(() => import('@/features/analytics/AnalyticsDashboardPage'));
const PipelineRowsPage = lazy(() => import('@/features/analytics/PipelineRowsPage'));
const TargetsPage = lazy(() => import('@/features/target/TargetsPage'));
const ActivitiesPage = lazy(() => import('@/features/activity/ActivitiesPage'));

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}

/** Sends the user to the login page when the server says the session is gone. */
function SessionWatcher() {
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  useEffect(() => {
    configureApi({
      onUnauthorized: () => {
        if (window.location.pathname === '/login') return;
        const hadSession = qc.getQueryData(meKey) !== undefined;
        const next = encodeURIComponent(window.location.pathname + window.location.search);
        qc.clear();
        navigate(`/login?next=${next}${hadSession ? '&expired=1' : ''}`, { replace: true });
      },
    });
  }, [navigate, qc]);
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [location.pathname]);
  return null;
}

function PageFallback() {
  return (
    <div className="page-fallback">
      <Spin />
    </div>
  );
}

function ThemedApp() {
  const { locale } = useI18n();
  return (
    <ConfigProvider
      locale={locale === 'zh-CN' ? antdZhCN : antdEnUS}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: {
          colorPrimary: '#1d4ed8',
          borderRadius: 6,
          fontFamily:
            "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif",
        },
        components: {
          Layout: { siderBg: '#0b1f3a', headerBg: '#ffffff', bodyBg: '#f4f6fa', headerPadding: '0 16px' },
          Menu: { darkItemBg: '#0b1f3a', darkSubMenuItemBg: '#08172c', darkItemSelectedBg: '#1d4ed8' },
        },
      }}
    >
      <AntApp>
        <BrowserRouter>
          <SessionWatcher />
          <Suspense fallback={<PageFallback />}>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route
                element={
                  <RequireAuth>
                    <AppShell />
                  </RequireAuth>
                }
              >
                <Route index element={<Navigate to="/workbench" replace />} />
                <Route path="/workbench" element={<WorkbenchPage />} />
                <Route path="/admin/org" element={<OrgPage />} />
                <Route path="/admin/users" element={<UsersPage />} />
                <Route path="/admin/users/:id" element={<UserDetailPage />} />
                <Route path="/admin/audit" element={<AuditLogPage />} />
                <Route path="/opportunities" element={<KanbanPage />} />
                <Route path="/opportunities/list" element={<OpportunityListPage />} />
                <Route path="/opportunities/:id" element={<OpportunityDetailPage />} />
                <Route path="/admin/process" element={<ProcessTemplatesPage />} />
                <Route path="/admin/process/:id" element={<ProcessTemplatePage />} />
                <Route path="/admin/pool-rules" element={<PoolRulesPage />} />
                <Route path="/accounts" element={<AccountsPage />} />
                <Route path="/accounts/:id" element={<AccountDetailPage />} />
                <Route path="/pool" element={<PoolPage />} />
                <Route path="/leads" element={<LeadsPage />} />
                <Route path="/leads/:id" element={<LeadDetailPage />} />
                <Route path="/conflicts" element={<ConflictsPage />} />
                <Route path="/quotes" element={<QuotesPage />} />
                <Route path="/quotes/:id" element={<QuoteDetailPage />} />
                <Route path="/contracts" element={<ContractsPage />} />
                <Route path="/contracts/:id" element={<ContractDetailPage />} />
                <Route path="/receivables" element={<ReceivablesPage />} />
                <Route path="/admin/products" element={<ProductsPage />} />
                <Route path="/admin/price-books" element={<PriceBooksPage />} />
                <Route path="/admin/fx-rates" element={<FxRatesPage />} />
                <Route path="/approvals" element={<ApprovalsPage />} />
                <Route path="/approvals/:id" element={<ApprovalDetailPage />} />
                <Route path="/admin/approval-policies" element={<PoliciesPage />} />
                <Route path="/admin/approval-policies/:id" element={<PolicyEditorPage />} />
                <Route path="/admin/authority-matrix" element={<AuthorityMatrixPage />} />
                <Route path="/analytics" element={<AnalyticsDashboardPage />} />
                <Route path="/analytics/pipeline-rows" element={<PipelineRowsPage />} />
                <Route path="/targets" element={<TargetsPage />} />
                <Route path="/activities" element={<ActivitiesPage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </Suspense>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export function App({ queryClient = createQueryClient() }: { queryClient?: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <ThemedApp />
      </I18nProvider>
    </QueryClientProvider>
  );
}
